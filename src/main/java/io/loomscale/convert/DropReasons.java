package io.loomscale.convert;

/**
 * Why a MaxScale parameter that LoomScale has no key for is not carried over, for the
 * families of parameters a MaxScale 2.1-2.5 configuration commonly has; anything else gets
 * a generic reason.
 */
final class DropReasons {
    static final String TLS = "TLS is not supported by LoomScale yet; connections are made without it";
    static final String FAILOVER = "automatic failover, switchover and rejoin are not in LoomScale yet; the monitor only "
            + "watches the servers";
    static final String GENERIC = "LoomScale has no equivalent parameter";

    private DropReasons() {
    }

    static String global(String key) {
        return switch (key) {
            case "logdir", "datadir", "libdir", "cachedir", "piddir", "persistdir", "execdir", "language",
                 "module_configdir", "connector_plugindir", "sharedir" ->
                    "a MaxScale directory; LoomScale keeps its defaults (/var/log/loomscale, /var/lib/loomscale, "
                            + "/usr/lib/loomscale), which its package creates";
            case "syslog", "maxlog", "log_to_shm", "ms_timestamp", "log_augmentation", "log_throttling" ->
                    "LoomScale logs to standard error (the journal under systemd) with millisecond timestamps";
            case "query_classifier", "query_classifier_args", "query_classifier_cache_size" ->
                    "LoomScale has its own statement classifier";
            default -> key.startsWith("admin_") ? "the REST admin interface is not configured in this LoomScale "
                    + "configuration format yet" : GENERIC;
        };
    }

    static String server(String key) {
        return switch (key) {
            case "monitoruser", "monitorpw", "monitorpassword" ->
                    "per-server monitor credentials are not supported: the monitor's user and password are used";
            case "socket" -> "LoomScale connects to servers over TCP only; give address and port";
            default -> key.startsWith("ssl") ? TLS : GENERIC;
        };
    }

    static String monitor(String key) {
        return switch (key) {
            case "auto_failover", "auto_rejoin", "failcount", "failover_timeout", "switchover_timeout",
                 "replication_user", "replication_password", "verify_master_failure", "master_failure_timeout",
                 "enforce_read_only_slaves", "enforce_simple_topology", "servers_no_promotion", "promotion_sql_file",
                 "demotion_sql_file", "handle_events", "assume_unique_hostnames", "switchover_on_low_disk_space",
                 "maintenance_on_low_disk_space", "cooperative_monitoring_locks", "master_conditions",
                 "slave_conditions", "replication_master_ssl" -> FAILOVER;
            case "script", "events", "script_timeout" -> "monitor scripts are not supported by LoomScale";
            case "detect_replication_lag" ->
                    "LoomScale's monitor always reads each replica's lag from its replication status";
            default -> GENERIC;
        };
    }

    static String service(String key) {
        return switch (key) {
            case "master_reconnection", "delayed_retry", "delayed_retry_timeout", "transaction_replay",
                 "transaction_replay_max_size", "transaction_replay_attempts", "transaction_replay_retry_on_deadlock",
                 "optimistic_trx" -> "reconnecting to a new primary and replaying transactions are not in LoomScale yet";
            case "version_string" -> "clients see the version of the servers";
            default -> GENERIC;
        };
    }

    static String listener(String key) {
        return switch (key) {
            case "authenticator_options" -> "LoomScale's authenticator takes no options";
            default -> key.startsWith("ssl") ? TLS : GENERIC;
        };
    }
}
