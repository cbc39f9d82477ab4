package io.loomscale.monitor;

import io.loomscale.config.MonitorConfig;
import io.loomscale.config.Params;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The high-availability keys of {@code mariadbmon}, with MaxScale's names and defaults (2.2 to
 * 2.5, where they first appeared): {@code auto_failover} (false), {@code auto_rejoin} (false),
 * {@code failcount} (5 ticks), {@code failover_timeout} (90s), {@code switchover_timeout} (90s),
 * {@code verify_master_failure} (true), {@code master_failure_timeout} (10s),
 * {@code replication_user}/{@code replication_password} (the monitor's own account when not
 * given), {@code enforce_read_only_slaves} (false), {@code servers_no_promotion} (none) and
 * {@code cooperative_monitoring_locks} ({@code none}, {@code majority_of_all},
 * {@code majority_of_running}).
 */
record HaOptions(boolean autoFailover, boolean autoRejoin, int failcount, Duration failoverTimeout,
        Duration switchoverTimeout, boolean verifyMasterFailure, Duration masterFailureTimeout, String replicationUser,
        String replicationPassword, boolean enforceReadOnlySlaves, Set<String> noPromotion, Locks locks) {

    /** {@code cooperative_monitoring_locks}. */
    enum Locks { NONE, MAJORITY_OF_ALL, MAJORITY_OF_RUNNING }

    static final Set<String> KEYS = Set.of("auto_failover", "auto_rejoin", "failcount", "failover_timeout",
            "switchover_timeout", "verify_master_failure", "master_failure_timeout", "replication_user",
            "replication_password", "enforce_read_only_slaves", "servers_no_promotion", "cooperative_monitoring_locks");

    static HaOptions read(MonitorConfig config, List<Server> servers) {
        Params p = config.params();
        int failcount = p.integer("failcount", 5);
        if (failcount < 1) {
            throw p.error("failcount", "must be at least 1", "a number of monitor ticks, 1 or more");
        }
        Set<String> names = new LinkedHashSet<>();
        for (Server s : servers) {
            names.add(s.name());
        }
        Set<String> noPromotion = new LinkedHashSet<>();
        for (String n : p.stringList("servers_no_promotion")) {
            for (String part : n.split(",")) {
                String name = part.trim();
                if (name.isEmpty()) {
                    continue;
                }
                if (!names.contains(name)) {
                    throw p.error("servers_no_promotion", "names '" + name + "', which this monitor does not watch",
                            "names of the monitor's servers: " + String.join(", ", names));
                }
                noPromotion.add(name);
            }
        }
        String locks = p.string("cooperative_monitoring_locks", "none").toLowerCase(Locale.ROOT);
        Locks mode = switch (locks) {
            case "none" -> Locks.NONE;
            case "majority_of_all" -> Locks.MAJORITY_OF_ALL;
            case "majority_of_running" -> Locks.MAJORITY_OF_RUNNING;
            default -> throw p.error("cooperative_monitoring_locks", "unknown value '" + locks + "'",
                    "none, majority_of_all, majority_of_running");
        };
        String user = p.string("replication_user", config.user());
        String password = p.string("replication_password", p.has("replication_user") ? "" : config.password());
        return new HaOptions(p.bool("auto_failover", false), p.bool("auto_rejoin", false), failcount,
                positive(p, "failover_timeout", Duration.ofSeconds(90)),
                positive(p, "switchover_timeout", Duration.ofSeconds(90)), p.bool("verify_master_failure", true),
                positive(p, "master_failure_timeout", Duration.ofSeconds(10)), user, password,
                p.bool("enforce_read_only_slaves", false), Set.copyOf(noPromotion), mode);
    }

    private static Duration positive(Params p, String key, Duration dflt) {
        Duration d = p.duration(key, dflt, ChronoUnit.SECONDS);
        if (d.isZero() || d.isNegative()) {
            throw p.error(key, "must be more than 0", "a duration such as \"90s\"; a bare number counts seconds");
        }
        return d;
    }
}
