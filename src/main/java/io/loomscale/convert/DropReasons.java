package io.loomscale.convert;

/**
 * Why a MaxScale parameter that LoomScale has no key for is not carried over, for the
 * families of parameters a MaxScale 2.1-2.5 configuration commonly has; anything else gets
 * a generic reason.
 */
final class DropReasons {
    static final String TLS = "LoomScale does not have this TLS setting (it has ssl, ssl_cert, ssl_key, ssl_ca_cert, "
            + "ssl_version, ssl_verify_peer_certificate, ssl_verify_peer_host; ssl_cipher takes JDK cipher names, "
            + "not OpenSSL's)";
    static final String TLS_INCOMPLETE = "the listener's TLS setup is incomplete (ssl needs ssl_cert and ssl_key), "
            + "so TLS is left off: add both to the converted listener";
    static final String FAILOVER = "LoomScale's mariadbmon does not have this failover setting (it has auto_failover, "
            + "auto_rejoin, failcount, the failover, switchover and master-failure timeouts, verify_master_failure, "
            + "replication_user/password, enforce_read_only_slaves, servers_no_promotion, cooperative_monitoring_locks)";
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
            case "enforce_simple_topology", "promotion_sql_file", "demotion_sql_file", "handle_events",
                 "assume_unique_hostnames", "switchover_on_low_disk_space", "maintenance_on_low_disk_space",
                 "master_conditions", "slave_conditions", "replication_master_ssl", "enforce_writable_master" ->
                    FAILOVER;
            case "script", "events", "script_timeout" -> "monitor scripts are not supported by LoomScale";
            case "detect_replication_lag" ->
                    "LoomScale's monitor always reads each replica's lag from its replication status";
            default -> GENERIC;
        };
    }

    static String service(String key) {
        return switch (key) {
            case "transaction_replay_attempts", "transaction_replay_retry_on_deadlock", "transaction_replay_timeout",
                 "transaction_replay_retry_on_mismatch", "transaction_replay_checksum", "optimistic_trx" ->
                    "LoomScale's readwritesplit has transaction_replay, transaction_replay_max_size, "
                            + "transaction_replay_safe_commit, delayed_retry and master_reconnection, not this setting";
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
