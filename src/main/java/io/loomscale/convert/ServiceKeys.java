package io.loomscale.convert;

import io.loomscale.convert.IniReader.Section;
import io.loomscale.convert.MaxValues.Conv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Converts the parameters of one {@code type=service} section: the keys every LoomScale
 * service has, and readwritesplit's own keys, which may also come from MaxScale 2.1's
 * {@code router_options=key=value,...} (a key of the section wins, as in LoomScale).
 * readconnroute's {@code router_options} keeps the roles LoomScale knows.
 */
final class ServiceKeys {

    private static final Set<String> ROLES = Set.of("master", "slave", "running", "synced");
    private static final Map<String, Conv> RWS = new LinkedHashMap<>();

    static {
        for (String k : List.of("master_accept_reads", "retry_failed_reads", "strict_multi_stmt", "strict_sp_calls",
                "disable_sescmd_history", "lazy_connect", "master_reconnection", "delayed_retry", "transaction_replay",
                "transaction_replay_safe_commit")) {
            RWS.put(k, MaxValues.BOOL);
        }
        RWS.put("max_sescmd_history", MaxValues.INT);
        RWS.put("max_slave_connections", raw -> raw.strip().endsWith("%") ? raw.strip() : MaxValues.integer(raw));
        RWS.put("use_sql_variables_in", raw -> raw.strip().toLowerCase(Locale.ROOT));
        RWS.put("slave_selection_criteria", raw -> raw.strip().toUpperCase(Locale.ROOT));
        RWS.put("master_failure_mode", raw -> raw.strip().toLowerCase(Locale.ROOT));
        RWS.put("max_slave_replication_lag", raw -> raw.strip().equals("-1") ? Long.valueOf(-1)
                : MaxValues.SECONDS.apply(raw));
        RWS.put("connection_keepalive", MaxValues.SECONDS);
        RWS.put("causal_reads_timeout", MaxValues.SECONDS);
        RWS.put("delayed_retry_timeout", MaxValues.SECONDS);
        RWS.put("transaction_replay_max_size", MaxValues.SIZE);
        RWS.put("causal_reads", raw -> switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes", "1", "local" -> "local";
            case "false", "off", "no", "0", "none" -> "none";
            case "global" -> "global";
            default -> throw new IllegalArgumentException("causal_reads=" + raw.strip()
                    + " is not in LoomScale (it has none, local and global)");
        });
    }

    private final MaxScaleConverter c;
    private final Section s;
    private final Map<String, Object> t;
    private final boolean rws;

    ServiceKeys(MaxScaleConverter converter, Section section, Map<String, Object> table, String router) {
        this.c = converter;
        this.s = section;
        this.t = table;
        this.rws = router.equals("readwritesplit");
    }

    void convert(String key) {
        String value = s.get(key);
        switch (key) {
            case "type" -> { }
            case "router" -> t.put("router", rws ? "readwritesplit" : "readconnroute");
            case "servers" -> t.put("servers", c.serverNames(value));
            case "cluster" -> cluster(value.strip());
            case "user" -> c.carry(s, key, t, key, MaxValues.TEXT);
            case "password", "passwd" -> c.password(s, key, t);
            case "router_options" -> routerOptions(value);
            case "filters" -> filters(value);
            case "max_connections" -> c.carry(s, key, t, key, MaxValues.INT);
            case "connection_timeout" -> c.carry(s, key, t, key, MaxValues.SECONDS);
            case "enable_root_user" -> c.carry(s, key, t, key, MaxValues.BOOL);
            case "weightby" -> { }
            default -> {
                if (rws && RWS.containsKey(key)) {
                    c.carry(s, key, t, key, RWS.get(key));
                } else {
                    c.drop(s, key, RWS.containsKey(key) ? "a readwritesplit parameter, and this service uses "
                            + "readconnroute" : DropReasons.service(key));
                }
            }
        }
    }

    /** Called after every key: readwritesplit's router_options go in only where the section has no such key. */
    void finish() {
        if (rws && s.get("router_options") != null) {
            for (String part : IniReader.list(s.get("router_options"))) {
                int eq = part.indexOf('=');
                String key = eq < 0 ? part : part.substring(0, eq).strip();
                if (eq < 0 || !RWS.containsKey(key)) {
                    c.drop(s, "router_options", "'" + part + "' is not a readwritesplit option LoomScale has");
                } else if (!s.values().containsKey(key)) {
                    try {
                        t.put(key, RWS.get(key).apply(part.substring(eq + 1)));
                        c.change(s, "router_options", "'" + part + "' became the key " + key);
                    } catch (IllegalArgumentException e) {
                        c.drop(s, "router_options", key + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private void cluster(String monitor) {
        String name = c.monitorName(monitor);
        if (name != null) {
            t.put("cluster", name);
            return;
        }
        List<String> servers = c.droppedMonitorServers(monitor);
        if (servers != null) {
            t.put("servers", c.serverNames(String.join(",", servers)));
            c.change(s, "cluster", "its monitor [" + monitor + "] was not carried over: the service lists its servers");
        } else {
            t.put("cluster", monitor);
        }
    }

    private void routerOptions(String value) {
        if (rws) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String role : IniReader.list(value)) {
            if (ROLES.contains(role.toLowerCase(Locale.ROOT))) {
                kept.add(role.toLowerCase(Locale.ROOT));
            } else {
                c.drop(s, "router_options", "readconnroute option '" + role + "' is not in LoomScale (it has master, "
                        + "slave, running, synced)");
            }
        }
        if (!kept.isEmpty()) {
            t.put("router_options", String.join(",", kept));
        }
    }

    /** MaxScale writes {@code filters=a|b}; dropped filters leave the chain. */
    private void filters(String value) {
        List<String> chain = new ArrayList<>();
        for (String part : value.split("\\|")) {
            String name = part.strip();
            if (name.isEmpty()) {
                continue;
            }
            String loom = c.filterName(name);
            if (loom == null) {
                c.drop(s, "filters", "filter '" + name + "' was not carried over (or is not defined), so it is left out of the chain");
            } else {
                chain.add(loom);
            }
        }
        t.put("filters", chain);
    }
}
