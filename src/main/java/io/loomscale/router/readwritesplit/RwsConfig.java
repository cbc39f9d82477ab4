package io.loomscale.router.readwritesplit;

import io.loomscale.config.ConfigException;
import io.loomscale.config.Params;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * readwritesplit's settings, read from the service table's own keys and, as MaxScale 2.1 also
 * allowed, from {@code router_options = "key=value,key=value"} (a key in the table wins).
 * Names and defaults are MaxScale 2.1's, except where noted:
 * <ul>
 * <li>{@code strict_multi_stmt} defaults to true, as in 2.1 (2.2.1 turned it off);</li>
 * <li>the session command history is on with {@code max_sescmd_history = 50} (2.3's default):
 *     2.1 turned it off by default, which made a replica opened later ({@code lazy_connect}, a
 *     replaced replica) impossible;</li>
 * <li>keys MaxScale added after 2.1 ({@code connection_keepalive}, {@code lazy_connect},
 *     {@code causal_reads}, {@code causal_reads_timeout}, {@code master_reconnection},
 *     {@code delayed_retry}, {@code delayed_retry_timeout}, {@code transaction_replay},
 *     {@code transaction_replay_max_size}, {@code transaction_replay_safe_commit}) take the
 *     defaults of the release that added them;
 *     as in MaxScale, {@code transaction_replay} turns on {@code delayed_retry} and
 *     {@code master_reconnection}, and {@code delayed_retry} turns on {@code master_reconnection}.</li>
 * </ul>
 */
record RwsConfig(int maxSlaveConnections, boolean maxSlavePercent, long maxSlaveReplicationLag,
        boolean variablesOnMasterOnly, Criteria criteria, boolean masterAcceptReads, FailureMode masterFailureMode,
        boolean retryFailedReads, boolean strictMultiStmt, boolean strictSpCalls, int maxSescmdHistory,
        boolean disableSescmdHistory, Duration connectionKeepalive, boolean lazyConnect, CausalReads causalReads,
        Duration causalReadsTimeout, boolean masterReconnection, boolean delayedRetry, Duration delayedRetryTimeout,
        boolean transactionReplay, long transactionReplayMaxSize, boolean transactionReplaySafeCommit) {

    enum Criteria { LEAST_CURRENT_OPERATIONS, LEAST_ROUTER_CONNECTIONS, LEAST_GLOBAL_CONNECTIONS, LEAST_BEHIND_MASTER,
        ADAPTIVE_ROUTING }

    enum FailureMode { FAIL_INSTANTLY, FAIL_ON_WRITE, ERROR_ON_WRITE }

    /** {@code causal_reads}: off, the session's own writes ({@code local}, 2.3's {@code true}), or any session's ({@code global}). */
    enum CausalReads { NONE, LOCAL, GLOBAL }

    static final Set<String> KEYS = Set.of("max_slave_connections", "max_slave_replication_lag", "use_sql_variables_in",
            "slave_selection_criteria", "master_accept_reads", "master_failure_mode", "retry_failed_reads",
            "strict_multi_stmt", "strict_sp_calls", "max_sescmd_history", "disable_sescmd_history",
            "connection_keepalive", "lazy_connect", "causal_reads", "causal_reads_timeout", "master_reconnection",
            "delayed_retry", "delayed_retry_timeout", "transaction_replay", "transaction_replay_max_size",
            "transaction_replay_safe_commit");

    /** Defaults: every slave, no lag limit, variables everywhere, LEAST_CURRENT_OPERATIONS... */
    static RwsConfig defaults() {
        return new RwsConfig(255, false, -1, false, Criteria.LEAST_CURRENT_OPERATIONS, false, FailureMode.FAIL_INSTANTLY,
                true, true, false, 50, false, Duration.ofSeconds(300), false, CausalReads.NONE, Duration.ofSeconds(10),
                false, false, Duration.ofSeconds(10), false, 1L << 20, true);
    }

    static RwsConfig parse(Params params, String routerOptions) {
        Map<String, String> opts = routerOptions(params, routerOptions);
        for (String key : params.keys()) {
            if (!KEYS.contains(key)) {
                throw params.error(key, "unknown key for readwritesplit", allowed());
            }
        }
        Reader r = new Reader(params, opts);
        RwsConfig d = defaults();
        int maxSlaves = d.maxSlaveConnections;
        boolean percent = d.maxSlavePercent;
        String msc = r.text("max_slave_connections");
        if (msc != null) {
            String v = msc.trim();
            percent = v.endsWith("%");
            try {
                maxSlaves = Integer.parseInt(percent ? v.substring(0, v.length() - 1).trim() : v);
            } catch (NumberFormatException e) {
                throw r.error("max_slave_connections", "not a count or a percentage: '" + msc + "'",
                        "a number of replicas (0-255) or a percentage such as \"50%\"");
            }
            if (maxSlaves < 0 || (percent && maxSlaves > 100)) {
                throw r.error("max_slave_connections", "out of range: '" + msc + "'",
                        "a number of replicas (0-255) or a percentage such as \"50%\"");
            }
        }
        long lag = d.maxSlaveReplicationLag;
        String lagText = r.text("max_slave_replication_lag");
        if (lagText != null) {
            lag = seconds(r, "max_slave_replication_lag", lagText, true);
        }
        boolean varsMaster = d.variablesOnMasterOnly;
        String vars = r.text("use_sql_variables_in");
        if (vars != null) {
            varsMaster = switch (vars.trim().toLowerCase(Locale.ROOT)) {
                case "master" -> true;
                case "all" -> false;
                default -> throw r.error("use_sql_variables_in", "unknown value '" + vars + "'", "all, master");
            };
        }
        Criteria criteria = r.enumValue("slave_selection_criteria", Criteria.class, d.criteria);
        FailureMode fm = r.enumValue("master_failure_mode", FailureMode.class, d.masterFailureMode);
        int hist = d.maxSescmdHistory;
        String h = r.text("max_sescmd_history");
        if (h != null) {
            try {
                hist = Integer.parseInt(h.trim());
            } catch (NumberFormatException e) {
                hist = -1;
            }
            if (hist < 0) {
                throw r.error("max_sescmd_history", "not a non-negative count: '" + h + "'",
                        "a number of session commands, 0 = no limit");
            }
        }
        Duration keepalive = d.connectionKeepalive;
        String ka = r.text("connection_keepalive");
        if (ka != null) {
            keepalive = Duration.ofSeconds(seconds(r, "connection_keepalive", ka, false));
        }
        CausalReads causal = d.causalReads;
        String cr = r.text("causal_reads");
        if (cr != null) {
            causal = switch (cr.trim().toLowerCase(Locale.ROOT)) {
                case "true", "on", "yes", "1", "local" -> CausalReads.LOCAL;
                case "false", "off", "no", "0", "none" -> CausalReads.NONE;
                case "global" -> CausalReads.GLOBAL;
                default -> throw r.error("causal_reads", "unknown value '" + cr + "'", "none, local, global, true, false");
            };
        }
        Duration causalTimeout = d.causalReadsTimeout;
        String ct = r.text("causal_reads_timeout");
        if (ct != null) {
            causalTimeout = Duration.ofSeconds(seconds(r, "causal_reads_timeout", ct, false));
        }
        Duration retryTimeout = d.delayedRetryTimeout;
        String rt = r.text("delayed_retry_timeout");
        if (rt != null) {
            retryTimeout = Duration.ofSeconds(seconds(r, "delayed_retry_timeout", rt, false));
            if (retryTimeout.isZero()) {
                throw r.error("delayed_retry_timeout", "must be more than 0", "a duration such as \"10s\"");
            }
        }
        long replayMax = d.transactionReplayMaxSize;
        String rm = r.text("transaction_replay_max_size");
        if (rm != null) {
            replayMax = size(r, "transaction_replay_max_size", rm);
        }
        boolean replay = r.bool("transaction_replay", d.transactionReplay);
        boolean delayed = replay || r.bool("delayed_retry", d.delayedRetry);
        boolean reconnect = delayed || r.bool("master_reconnection", d.masterReconnection);
        return new RwsConfig(maxSlaves, percent, lag, varsMaster, criteria,
                r.bool("master_accept_reads", d.masterAcceptReads), fm,
                r.bool("retry_failed_reads", d.retryFailedReads), r.bool("strict_multi_stmt", d.strictMultiStmt),
                r.bool("strict_sp_calls", d.strictSpCalls), hist,
                r.bool("disable_sescmd_history", d.disableSescmdHistory), keepalive,
                r.bool("lazy_connect", d.lazyConnect), causal, causalTimeout, reconnect, delayed, retryTimeout, replay,
                replayMax, r.bool("transaction_replay_safe_commit", d.transactionReplaySafeCommit));
    }

    /** How many of {@code available} replicas one session may use. */
    int slaveLimit(int available) {
        if (maxSlavePercent) {
            return (int) Math.ceil(available * maxSlaveConnections / 100.0);
        }
        return Math.min(available, maxSlaveConnections);
    }

    /** What the admin interface shows. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("max_slave_connections", maxSlavePercent ? maxSlaveConnections + "%" : maxSlaveConnections);
        m.put("max_slave_replication_lag", maxSlaveReplicationLag);
        m.put("use_sql_variables_in", variablesOnMasterOnly ? "master" : "all");
        m.put("slave_selection_criteria", criteria.name());
        m.put("master_accept_reads", masterAcceptReads);
        m.put("master_failure_mode", masterFailureMode.name().toLowerCase(Locale.ROOT));
        m.put("retry_failed_reads", retryFailedReads);
        m.put("strict_multi_stmt", strictMultiStmt);
        m.put("strict_sp_calls", strictSpCalls);
        m.put("max_sescmd_history", maxSescmdHistory);
        m.put("disable_sescmd_history", disableSescmdHistory);
        m.put("connection_keepalive", connectionKeepalive.toSeconds() + "s");
        m.put("lazy_connect", lazyConnect);
        m.put("causal_reads", causalReads.name().toLowerCase(Locale.ROOT));
        m.put("causal_reads_timeout", causalReadsTimeout.toSeconds() + "s");
        m.put("master_reconnection", masterReconnection);
        m.put("delayed_retry", delayedRetry);
        m.put("delayed_retry_timeout", delayedRetryTimeout.toSeconds() + "s");
        m.put("transaction_replay", transactionReplay);
        m.put("transaction_replay_max_size", transactionReplayMaxSize);
        m.put("transaction_replay_safe_commit", transactionReplaySafeCommit);
        return m;
    }

    private static String allowed() {
        return String.join(", ", new TreeSet<>(KEYS)) + " (and the common service keys)";
    }

    /** 2.1's {@code router_options} form: {@code key=value} pairs separated by commas. */
    private static Map<String, String> routerOptions(Params params, String text) {
        Map<String, String> m = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return m;
        }
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (eq < 0 || !KEYS.contains(key)) {
                throw params.error("router_options", "'" + p + "' is not a readwritesplit option",
                        "key=value pairs of: " + String.join(", ", new TreeSet<>(KEYS)));
            }
            m.put(key, p.substring(eq + 1).trim());
        }
        return m;
    }

    /** A count of seconds: a bare number or a duration string ("10s", "1m"). */
    /** A byte size: a number with an optional k/M/G (1024-based, MaxScale's Ki/Mi/Gi also accepted). */
    private static long size(Reader r, String key, String text) {
        String t = text.trim();
        long unit = 1;
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.endsWith("i")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        if (lower.endsWith("k")) {
            unit = 1L << 10;
        } else if (lower.endsWith("m")) {
            unit = 1L << 20;
        } else if (lower.endsWith("g")) {
            unit = 1L << 30;
        }
        String num = unit == 1 ? lower : lower.substring(0, lower.length() - 1);
        try {
            long v = Long.parseLong(num.trim());
            if (v >= 0) {
                return v * unit;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw r.error(key, "not a size: '" + text + "'", "a number of bytes, optionally with k, M or G (e.g. \"1M\")");
    }

    private static long seconds(Reader r, String key, String text, boolean allowNegative) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            long unit = 1;
            if (t.endsWith("ms")) {
                return Math.max(1, Long.parseLong(t.substring(0, t.length() - 2).trim()) / 1000);
            } else if (t.endsWith("s")) {
                t = t.substring(0, t.length() - 1);
            } else if (t.endsWith("m")) {
                unit = 60;
                t = t.substring(0, t.length() - 1);
            } else if (t.endsWith("h")) {
                unit = 3600;
                t = t.substring(0, t.length() - 1);
            }
            long v = Long.parseLong(t.trim()) * unit;
            if (v < 0 && !allowNegative) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw r.error(key, "not a number of seconds: '" + text + "'",
                    "seconds as a number or a duration such as \"10s\", \"1m\"" + (allowNegative ? "; -1 = off" : ""));
        }
    }

    /** Reads a key from the table first, then from router_options; any TOML scalar becomes text. */
    private record Reader(Params params, Map<String, String> opts) {
        String text(String key) {
            Object v = params.value(key);
            if (v != null) {
                if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                    return v.toString();
                }
                throw params.error(key, "expected a single value, got " + v.getClass().getSimpleName(), null);
            }
            return opts.get(key);
        }

        boolean bool(String key, boolean dflt) {
            String t = text(key);
            if (t == null) {
                return dflt;
            }
            return switch (t.trim().toLowerCase(Locale.ROOT)) {
                case "true", "on", "yes", "1" -> true;
                case "false", "off", "no", "0" -> false;
                default -> throw error(key, "not a boolean: '" + t + "'", "true, false");
            };
        }

        <E extends Enum<E>> E enumValue(String key, Class<E> type, E dflt) {
            String t = text(key);
            if (t == null) {
                return dflt;
            }
            try {
                return Enum.valueOf(type, t.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                StringBuilder allowed = new StringBuilder();
                for (E c : type.getEnumConstants()) {
                    allowed.append(allowed.isEmpty() ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
                }
                throw error(key, "unknown value '" + t + "'", allowed.toString());
            }
        }

        ConfigException error(String key, String problem, String allowed) {
            return params.error(params.has(key) ? key : "router_options", problem, allowed);
        }
    }
}
