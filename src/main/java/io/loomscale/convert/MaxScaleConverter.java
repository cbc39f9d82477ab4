package io.loomscale.convert;

import io.loomscale.convert.IniReader.Section;
import io.loomscale.convert.MaxValues.Conv;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns a MaxScale 2.1-2.5 configuration into LoomScale's TOML: {@code [maxscale]} becomes
 * {@code [loomscale]}, each {@code type=server|monitor|service|listener|filter} section a
 * {@code [server.NAME]}, {@code [monitor.NAME]}... table, with the parameters LoomScale has
 * (same names, MaxScale 2.1 lists, booleans and durations turned into TOML values) and a
 * {@link Note} for every parameter or object it cannot carry over, with the reason.
 *
 * <p>What it resolves first: {@code @include=NAME[,NAME...]} copies the parameters of the
 * named sections (which have {@code type=include} or no type, and are not objects
 * themselves) into the section, whose own parameters win; {@code passwd} is
 * {@code password}; a service's {@code weightby=P} makes each server's parameter {@code P}
 * its {@code weight}; readwritesplit's 2.1 {@code router_options=key=value,...} become keys.
 *
 * <p>What it drops with the objects that depend on them: a filter whose module this
 * LoomScale does not have (the services run without it), a service whose router it does not
 * have (and its listeners), a listener of an unsupported protocol. A monitor of another
 * module is dropped and the services that named it as {@code cluster} get its servers.
 *
 * <p>Stateless entry point; one conversion runs on the caller's thread.
 */
public final class MaxScaleConverter {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final List<String> KINDS = List.of("server", "monitor", "filter", "service", "listener");

    private final String source;
    private final Set<String> filterModules;
    private final List<Note> notes = new ArrayList<>();
    /** Per kind: MaxScale name -> LoomScale name. */
    private final Map<String, Map<String, String>> names = new HashMap<>();
    /** Per kind: LoomScale name -> the table's values, in file order. */
    private final Map<String, Map<String, Map<String, Object>>> tables = new LinkedHashMap<>();
    /** LoomScale table -> the comment written above it. */
    private final Map<String, List<String>> comments = new HashMap<>();
    private final Map<String, Object> global = new LinkedHashMap<>();
    /** Servers of monitors that were dropped, for services that name them as cluster. */
    private final Map<String, List<String>> droppedMonitorServers = new HashMap<>();

    private MaxScaleConverter(String source, Set<String> filterModules) {
        this.source = source;
        this.filterModules = filterModules;
        for (String kind : KINDS) {
            names.put(kind, new LinkedHashMap<>());
            tables.put(kind, new LinkedHashMap<>());
        }
    }

    /**
     * Reads {@code file} and its {@code .d} directory and converts them.
     *
     * @param filterModules the filter modules this LoomScale has (lower case); others are dropped
     * @throws IniReader.IniException when a file cannot be read or parsed
     */
    public static Conversion convert(Path file, Set<String> filterModules) {
        return convert(IniReader.read(file), file.toString(), filterModules);
    }

    static Conversion convert(List<Section> sections, String source, Set<String> filterModules) {
        return new MaxScaleConverter(source, filterModules).run(sections);
    }

    private Conversion run(List<Section> raw) {
        Includes includes = Includes.resolve(raw);
        Set<String> included = includes.included();
        Map<String, List<Section>> byKind = new LinkedHashMap<>();
        for (Section s : includes.sections()) {
            String type = s.get("type");
            if (s.name().equalsIgnoreCase("maxscale")) {
                globalSection(s);
            } else if (type == null) {
                if (!included.contains(s.name())) {
                    drop(s, null, "it has no type=... (server, monitor, service, listener or filter)");
                }
            } else if (KINDS.contains(type.toLowerCase(Locale.ROOT))) {
                byKind.computeIfAbsent(type.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(s);
                name(type.toLowerCase(Locale.ROOT), s);
            } else if (!type.equalsIgnoreCase("include")) {
                drop(s, null, "type=" + type + " is not an object LoomScale has (server, monitor, service, "
                        + "listener, filter)");
            }
        }
        Map<String, String> weightParams = weightParams(byKind.getOrDefault("service", List.of()));
        byKind.getOrDefault("server", List.of()).forEach(s -> server(s, weightParams));
        byKind.getOrDefault("monitor", List.of()).forEach(this::monitor);
        byKind.getOrDefault("filter", List.of()).forEach(this::filter);
        byKind.getOrDefault("service", List.of()).forEach(this::service);
        byKind.getOrDefault("listener", List.of()).forEach(this::listener);
        return new Conversion(write(), notes);
    }

    /** Gives the section a LoomScale name (letters, digits, '_' and '-'), unique within its kind. */
    private void name(String kind, Section s) {
        String name = s.name();
        if (!NAME.matcher(name).matches()) {
            name = name.replaceAll("[^A-Za-z0-9_-]", "_");
        }
        String base = name;
        for (int i = 2; names.get(kind).containsValue(name); i++) {
            name = base + "_" + i;
        }
        if (!name.equals(s.name())) {
            change(s, null, "renamed to '" + name + "' (LoomScale names use letters, digits, '_' and '-')");
        }
        names.get(kind).put(s.name(), name);
    }

    // ----------------------------------------------------------------- objects

    private void globalSection(Section s) {
        Map<String, Boolean> logs = new LinkedHashMap<>();
        for (String key : s.values().keySet()) {
            switch (key) {
                case "type" -> { }
                case "threads" -> carry(s, key, global, "threads",
                        raw -> raw.strip().equalsIgnoreCase("auto") ? "auto" : MaxValues.integer(raw));
                case "log_warning", "log_notice", "log_info", "log_debug" -> {
                    Object b = convert(s, key, MaxValues.BOOL);
                    if (b != null) {
                        logs.put(key, (Boolean) b);
                    }
                }
                default -> drop(s, key, DropReasons.global(key));
            }
        }
        if (!logs.isEmpty()) {
            String level = logs.getOrDefault("log_debug", false) ? "debug"
                    : logs.getOrDefault("log_info", false) ? "info"
                    : logs.getOrDefault("log_notice", true) ? "notice"
                    : logs.getOrDefault("log_warning", true) ? "warn" : "error";
            global.put("log_level", level);
            change(s, String.join(", ", logs.keySet()), "became log_level = \"" + level + "\" (the least severe "
                    + "level turned on)");
        }
    }

    private Map<String, String> weightParams(List<Section> services) {
        Map<String, String> params = new LinkedHashMap<>();
        for (Section s : services) {
            String p = s.get("weightby");
            if (p != null && !p.isBlank()) {
                params.putIfAbsent(p.strip(), s.name());
            }
        }
        return params;
    }

    private void server(Section s, Map<String, String> weightParams) {
        Map<String, Object> t = table("server", s);
        for (String key : s.values().keySet()) {
            String value = s.get(key);
            switch (key) {
                case "type" -> { }
                case "address" -> carry(s, key, t, key, MaxValues.TEXT);
                case "port", "persistpoolmax" -> carry(s, key, t, key, MaxValues.INT);
                case "persistmaxtime" -> carry(s, key, t, key, MaxValues.SECONDS);
                case "ssl", "ssl_verify_peer_certificate", "ssl_verify_peer_host", "proxy_protocol" ->
                        carry(s, key, t, key, MaxValues.SSL);
                case "ssl_cert", "ssl_key", "ssl_ca_cert" -> carry(s, key, t, key, MaxValues.TEXT);
                case "ssl_version" -> carry(s, key, t, key, MaxValues.SSL_VERSION);
                case "protocol" -> {
                    if (!isOneOf(value, "mariadbbackend", "mysqlbackend")) {
                        drop(s, key, "LoomScale speaks only the MariaDB protocol to servers");
                    }
                }
                default -> {
                    if (weightParams.containsKey(key)) {
                        if (carry(s, key, t, "weight", MaxValues.INT)) {
                            change(s, key, "became weight (service [" + weightParams.get(key) + "] has weightby="
                                    + key + "); LoomScale weights are per server, for every service");
                        }
                    } else {
                        drop(s, key, DropReasons.server(key));
                    }
                }
            }
        }
    }

    private void monitor(Section s) {
        String module = s.get("module");
        if (module == null || !isOneOf(module, "mysqlmon", "mariadbmon")) {
            droppedMonitorServers.put(s.name(), serverNames(s.get("servers")));
            drop(s, null, "monitor module '" + module + "' is not in LoomScale (it has mariadbmon, MaxScale's "
                    + "mysqlmon); services that use it as cluster get its servers");
            names.get("monitor").remove(s.name());
            return;
        }
        Map<String, Object> t = table("monitor", s);
        for (String key : s.values().keySet()) {
            switch (key) {
                case "type" -> { }
                case "module" -> t.put("module", "mariadbmon");
                case "servers" -> t.put("servers", serverNames(s.get(key)));
                case "user" -> carry(s, key, t, key, MaxValues.TEXT);
                case "password", "passwd" -> password(s, key, t);
                case "monitor_interval" -> carry(s, key, t, key, MaxValues.MILLIS);
                case "backend_connect_timeout", "backend_read_timeout", "backend_write_timeout" ->
                        carry(s, key, t, key, MaxValues.SECONDS);
                case "detect_stale_master", "detect_stale_slave", "auto_failover", "auto_rejoin",
                     "verify_master_failure", "enforce_read_only_slaves" -> carry(s, key, t, key, MaxValues.BOOL);
                case "failcount" -> carry(s, key, t, key, MaxValues.INT);
                case "failover_timeout", "switchover_timeout", "master_failure_timeout" ->
                        carry(s, key, t, key, MaxValues.SECONDS);
                case "replication_user" -> carry(s, key, t, key, MaxValues.TEXT);
                case "replication_password" -> {
                    carry(s, key, t, key, MaxValues.TEXT);
                    if (looksEncrypted(s.get(key))) {
                        change(s, key, ENCRYPTED);
                    }
                }
                case "servers_no_promotion" -> t.put(key, serverNames(s.get(key)));
                case "cooperative_monitoring_locks" -> carry(s, key, t, key, raw -> raw.strip().toLowerCase(Locale.ROOT));
                default -> drop(s, key, DropReasons.monitor(key));
            }
        }
    }

    private void filter(Section s) {
        String module = s.get("module");
        String lower = module == null ? "" : module.strip().toLowerCase(Locale.ROOT);
        if (!filterModules.contains(lower)) {
            drop(s, null, "LoomScale has no filter module '" + module + "' (this one has: "
                    + String.join(", ", new TreeSet<>(filterModules)) + "); the services that use it run without it");
            names.get("filter").remove(s.name());
            return;
        }
        Map<String, Object> t = table("filter", s);
        for (String key : s.values().keySet()) {
            if (key.equals("type")) {
                continue;
            }
            if (key.equals("module")) {
                t.put("module", lower);
            } else if (lower.equals("hintfilter")) {
                drop(s, key, "LoomScale's hintfilter takes no parameters (readwritesplit reads the hints itself)");
            } else {
                t.put(key, MaxValues.guess(s.get(key)));
            }
        }
    }

    private void service(Section s) {
        String router = s.get("router") == null ? "" : s.get("router").strip().toLowerCase(Locale.ROOT);
        if (!router.equals("readconnroute") && !router.equals("readwritesplit")) {
            String why = switch (router) {
                case "cli", "maxinfo", "debugcli" -> "the MaxAdmin/maxinfo interface is not in LoomScale (its admin "
                        + "interface is a separate issue)";
                default -> "router '" + s.get("router") + "' is not in LoomScale (it has readconnroute and "
                        + "readwritesplit)";
            };
            drop(s, null, why + "; its listeners are dropped too");
            names.get("service").remove(s.name());
            return;
        }
        Map<String, Object> t = table("service", s);
        ServiceKeys keys = new ServiceKeys(this, s, t, router);
        for (String key : s.values().keySet()) {
            keys.convert(key);
        }
        keys.finish();
    }

    private void listener(Section s) {
        String protocol = s.get("protocol");
        if (protocol != null && !isOneOf(protocol, "mariadbclient", "mysqlclient", "mariadb", "mariadbprotocol")) {
            drop(s, null, protocol.equalsIgnoreCase("maxscaled")
                    ? "a MaxAdmin listener (protocol=maxscaled): LoomScale has no MaxAdmin interface"
                    : "protocol '" + protocol + "' is not in LoomScale (it speaks the MariaDB protocol)");
            return;
        }
        String service = s.get("service");
        String target = service == null ? null : names.get("service").get(service.strip());
        if (service != null && target == null) {
            drop(s, null, "its service [" + service.strip() + "] was not carried over");
            return;
        }
        Map<String, Object> t = table("listener", s);
        String sslValue = s.get("ssl");
        boolean sslOn = sslValue != null && !MaxValues.isOff(sslValue);
        // A TLS listener needs its certificate and key; without both, TLS is left off (and said so).
        boolean tlsComplete = sslOn && s.get("ssl_cert") != null && s.get("ssl_key") != null;
        for (String key : s.values().keySet()) {
            String value = s.get(key);
            switch (key) {
                case "type", "protocol" -> { }
                case "service" -> t.put("service", target);
                case "address", "socket" -> carry(s, key, t, key, MaxValues.TEXT);
                case "port" -> carry(s, key, t, key, MaxValues.INT);
                case "proxy_protocol_networks" -> carry(s, key, t, key, MaxValues.TEXT);
                case "ssl", "ssl_verify_peer_certificate", "ssl_cert", "ssl_key", "ssl_ca_cert", "ssl_version" -> {
                    if (key.equals("ssl") && !sslOn) {
                        continue;
                    }
                    if (!tlsComplete) {
                        drop(s, key, sslOn ? DropReasons.TLS_INCOMPLETE : "ssl is off for this listener");
                    } else if (key.equals("ssl_version")) {
                        carry(s, key, t, key, MaxValues.SSL_VERSION);
                    } else {
                        carry(s, key, t, key, key.startsWith("ssl_verify") || key.equals("ssl")
                                ? MaxValues.SSL : MaxValues.TEXT);
                    }
                }
                case "authenticator" -> {
                    if (!isOneOf(value, "mysqlauth", "mariadbauth")) {
                        drop(s, key, "LoomScale authenticates clients with mysql_native_password (MariaDBAuth) only");
                    }
                }
                default -> drop(s, key, DropReasons.listener(key));
            }
        }
    }

    // ----------------------------------------------------------------- helpers for ServiceKeys

    /** The LoomScale server names of a MaxScale server list. */
    List<String> serverNames(String list) {
        List<String> out = new ArrayList<>();
        for (String n : IniReader.list(list == null ? "" : list)) {
            out.add(names.get("server").getOrDefault(n, n));
        }
        return out;
    }

    String monitorName(String name) {
        return names.get("monitor").get(name);
    }

    List<String> droppedMonitorServers(String name) {
        return droppedMonitorServers.get(name);
    }

    /** The LoomScale name of a carried filter, or null when it was dropped or never defined. */
    String filterName(String name) {
        return names.get("filter").get(name);
    }

    void password(Section s, String key, Map<String, Object> t) {
        String value = s.get(key);
        t.put("password", value);
        if (key.equals("passwd")) {
            change(s, key, "written as password");
        }
        if (looksEncrypted(value)) {
            change(s, key, ENCRYPTED);
        }
    }

    private static final String ENCRYPTED = "looks encrypted with maxpasswd; LoomScale needs the plain password here";

    /** maxpasswd writes a long hexadecimal string. */
    private static boolean looksEncrypted(String value) {
        return value.length() >= 32 && value.matches("[0-9A-Fa-f]+");
    }

    /** Converts {@code s.key} into {@code t.as}; on a bad value drops it with the reason. */
    boolean carry(Section s, String key, Map<String, Object> t, String as, Conv conv) {
        Object v = convert(s, key, conv);
        if (v != null) {
            t.put(as, v);
        }
        return v != null;
    }

    Object convert(Section s, String key, Conv conv) {
        try {
            return conv.apply(s.get(key));
        } catch (IllegalArgumentException e) {
            drop(s, key, e.getMessage());
            return null;
        }
    }

    void drop(Section s, String key, String reason) {
        notes.add(new Note(Note.Kind.DROPPED, where(s, key), s.name(), key, reason));
    }

    void change(Section s, String key, String reason) {
        notes.add(new Note(Note.Kind.CHANGED, where(s, key), s.name(), key, reason));
    }

    private static String where(Section s, String key) {
        return key == null || key.contains(",") ? s.file() + ":" + s.line() : s.where(key);
    }

    static boolean isOneOf(String value, String... allowed) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return true;
            }
        }
        return false;
    }

    private Map<String, Object> table(String kind, Section s) {
        Map<String, Object> t = new LinkedHashMap<>();
        String name = names.get(kind).get(s.name());
        tables.get(kind).put(name, t);
        comments.put(kind + "." + name, List.of("From [" + s.name() + "] (" + s.file() + ":" + s.line() + ")."));
        return t;
    }

    // ----------------------------------------------------------------- output

    private String write() {
        TomlText out = new TomlText();
        long dropped = notes.stream().filter(n -> n.kind() == Note.Kind.DROPPED).count();
        out.comment("LoomScale configuration converted from the MaxScale configuration " + source + "\n"
                + "by `loomscale convert`. Check it with: loomscale check -c FILE\n"
                + (dropped == 0 ? "Every parameter was carried over."
                        : dropped + " parameter(s) or object(s) were not carried over; the converter listed them "
                                + "with the\nreason on standard error, and each table below names its own."));
        out.blank();
        if (!global.isEmpty()) {
            out.table("loomscale", global);
            out.blank();
        }
        Map<String, Map<String, List<Note>>> notesByTable = new HashMap<>();
        for (String kind : KINDS) {
            for (Map.Entry<String, String> e : names.get(kind).entrySet()) {
                notesByTable.computeIfAbsent(kind, k -> new HashMap<>()).put(e.getValue(), new ArrayList<>());
            }
        }
        for (Note n : notes) {
            for (String kind : KINDS) {
                String name = names.get(kind).get(n.section());
                if (name != null && n.key() != null) {
                    notesByTable.get(kind).get(name).add(n);
                }
            }
        }
        for (String kind : KINDS) {
            for (Map.Entry<String, Map<String, Object>> e : tables.get(kind).entrySet()) {
                List<String> lines = new ArrayList<>(comments.get(kind + "." + e.getKey()));
                for (Note n : notesByTable.get(kind).getOrDefault(e.getKey(), List.of())) {
                    lines.add((n.kind() == Note.Kind.DROPPED ? "Not carried over: " : "Changed: ") + n.key() + " ("
                            + n.reason() + ")");
                }
                out.comment(String.join("\n", lines));
                out.table(kind + "." + e.getKey(), e.getValue());
                out.blank();
            }
        }
        return out.toString();
    }
}
