package io.loomscale.config;

import io.loomscale.tls.TlsConfig;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the {@link Section}s of one file into records, one kind after another, and checks
 * every reference between objects: monitor and service servers, service clusters and
 * filters, listener services, and listeners that would bind the same address and port.
 *
 * <p>Keys, defaults and ranges follow MaxScale 2.1 where it has the same setting;
 * {@code conf/loomscale.toml} documents each one.
 *
 * <p>Stateless; used by {@link ConfigLoader} on the loading thread.
 */
final class ObjectReaders {

    static final List<String> LOG_LEVELS = List.of("error", "warn", "notice", "info", "debug");

    private static final List<String> GLOBAL_KEYS =
            List.of("threads", "session_threads", "log_level", "logdir", "datadir", "libdir", "admin_enabled",
                    "admin_host", "admin_port", "admin_ssl_key", "admin_ssl_cert", "admin_ssl_ca_cert");
    private static final List<String> SERVER_KEYS =
            List.of("address", "port", "weight", "persistpoolmax", "persistmaxtime", "type", "protocol",
                    "proxy_protocol", "ssl", "ssl_cert", "ssl_key", "ssl_ca_cert", "ssl_version", "ssl_cipher",
                    "ssl_verify_peer_certificate", "ssl_verify_peer_host");
    private static final List<String> LISTENER_KEYS =
            List.of("service", "address", "port", "socket", "type", "protocol", "authenticator", "ssl", "ssl_cert",
                    "ssl_key", "ssl_ca_cert", "ssl_version", "ssl_cipher", "ssl_verify_peer_certificate",
                    "proxy_protocol_networks");

    /** Listener addresses that bind every local address, so they clash with any address on the port. */
    private static final Set<String> WILDCARDS = Set.of("::", "0.0.0.0", "::0", "0:0:0:0:0:0:0:0");

    private static final Duration MIN_MONITOR_INTERVAL = Duration.ofMillis(100);

    private ObjectReaders() {
    }

    static LoomScaleConfig read(String file, Section global, Map<String, Map<String, Section>> objects,
            Map<String, Integer> keyLines) {
        GlobalConfig globalConfig = global == null ? GlobalConfig.defaults() : global(global);
        io.loomscale.secrets.SecretsFile secrets = secrets(global, globalConfig);

        Map<String, ServerConfig> servers = new LinkedHashMap<>();
        objects.get("server").forEach((name, s) -> servers.put(name, server(name, s)));

        Map<String, MonitorConfig> monitors = new LinkedHashMap<>();
        Map<String, String> monitoredBy = new HashMap<>();
        objects.get("monitor").forEach((name, s) -> monitors.put(name, monitor(name, s, servers, monitoredBy, secrets)));

        Map<String, FilterConfig> filters = new LinkedHashMap<>();
        objects.get("filter").forEach((name, s) -> filters.put(name, filter(name, s)));

        Map<String, ServiceConfig> services = new LinkedHashMap<>();
        objects.get("service").forEach((name, s) -> services.put(name, service(name, s, servers, monitors, filters, secrets)));

        Map<String, ListenerConfig> listeners = new LinkedHashMap<>();
        objects.get("listener").forEach((name, s) -> {
            ListenerConfig listener = listener(name, s, services);
            checkClashes(listener, s, listeners, keyLines);
            listeners.put(name, listener);
        });
        return new LoomScaleConfig(file, globalConfig, servers, monitors, services, listeners, filters, keyLines);
    }

    static GlobalConfig global(Section s) {
        int cores = Runtime.getRuntime().availableProcessors();
        GlobalConfig d = GlobalConfig.defaults();
        GlobalConfig g = new GlobalConfig(
                s.autoOrPositive("threads", d.threads(), cores),
                s.autoOrPositive("session_threads", d.sessionThreads(), cores),
                s.oneOf("log_level", d.logLevel(), LOG_LEVELS),
                path(s, "logdir", d.logdir()),
                path(s, "datadir", d.datadir()),
                path(s, "libdir", d.libdir()),
                admin(s));
        s.rejectUnknown(GLOBAL_KEYS);
        return g;
    }

    private static AdminConfig admin(Section s) {
        AdminConfig d = AdminConfig.defaults();
        Path key = path(s, "admin_ssl_key", null);
        Path cert = path(s, "admin_ssl_cert", null);
        if ((key == null) != (cert == null)) {
            throw s.origin().error(key == null ? "admin_ssl_key" : "admin_ssl_cert",
                    "admin_ssl_key and admin_ssl_cert go together", "both (TLS) or neither (plain HTTP)");
        }
        return new AdminConfig(s.bool("admin_enabled", d.enabled()), s.string("admin_host", d.host()),
                s.integer("admin_port", d.port(), 0, 65535), key, cert, path(s, "admin_ssl_ca_cert", null));
    }

    static ServerConfig server(String name, Section s) {
        s.constant("type", List.of("server"));
        s.constant("protocol", List.of("MariaDBBackend", "MySQLBackend"));
        ServerConfig server = new ServerConfig(name,
                s.requiredString("address", "a host name or IP address"),
                s.integer("port", 3306, 1, 65535),
                s.integer("weight", 1, 0, Integer.MAX_VALUE),
                s.integer("persistpoolmax", 0, 0, Integer.MAX_VALUE),
                s.duration("persistmaxtime", Duration.ZERO, ChronoUnit.SECONDS, Duration.ZERO),
                TlsReader.read(s, false),
                s.bool("proxy_protocol", false));
        s.rejectUnknown(SERVER_KEYS);
        return server;
    }

    /**
     * The key file {@code datadir/.secrets} ({@code loomscale keys}), or null: with it, passwords
     * may be written encrypted ({@code loomscale passwd}).
     */
    private static io.loomscale.secrets.SecretsFile secrets(Section global, GlobalConfig g) {
        try {
            return io.loomscale.secrets.SecretsFile.find(g.datadir()).orElse(null);
        } catch (java.io.IOException e) {
            String problem = "cannot read the key file of encrypted passwords: " + e.getMessage();
            String allowed = "a datadir whose .secrets was made by 'loomscale keys'";
            throw global != null ? global.origin().error("datadir", problem, allowed)
                    : Origin.NONE.error("datadir", problem, allowed);
        }
    }

    /** A {@code password}, decrypted when it is a ciphertext of the key file. */
    private static String password(Section s, io.loomscale.secrets.SecretsFile secrets) {
        String p = s.requiredStringMayBeEmpty("password");
        return secrets == null ? p : secrets.decrypt(p).orElse(p);
    }

    static MonitorConfig monitor(String name, Section s, Map<String, ServerConfig> servers,
            Map<String, String> monitoredBy, io.loomscale.secrets.SecretsFile secrets) {
        s.constant("type", List.of("monitor"));
        String module = s.requiredString("module", "a monitor module name, e.g. mariadbmon");
        List<String> names = s.names("servers", true);
        for (int i = 0; i < names.size(); i++) {
            String server = names.get(i);
            requireDefined(s, "servers", i, "server", server, servers);
            String other = monitoredBy.putIfAbsent(server, name);
            if (other != null) {
                throw s.origin().elementError("servers", i,
                        "server '" + server + "' is already monitored by [monitor." + other + "]",
                        "each server in at most one monitor");
            }
        }
        s.rejectRenamed("passwd", "password");
        return new MonitorConfig(name, module, names,
                s.requiredString("user", "a user name"),
                password(s, secrets),
                s.duration("monitor_interval", Duration.ofSeconds(2), ChronoUnit.MILLIS, MIN_MONITOR_INTERVAL),
                s.rest());
    }

    static FilterConfig filter(String name, Section s) {
        s.constant("type", List.of("filter"));
        return new FilterConfig(name, s.requiredString("module", "a filter module name"), s.rest());
    }

    static ServiceConfig service(String name, Section s, Map<String, ServerConfig> servers,
            Map<String, MonitorConfig> monitors, Map<String, FilterConfig> filters,
            io.loomscale.secrets.SecretsFile secrets) {
        s.constant("type", List.of("service"));
        String router = s.requiredString("router", "a router module name, e.g. readconnroute");
        String either = "servers = [\"NAME\", ...] or cluster = \"MONITOR\"";
        if (s.has("servers") && s.has("cluster")) {
            throw s.origin().error("cluster", "a service takes servers or cluster, not both", either);
        }
        if (!s.has("servers") && !s.has("cluster")) {
            throw s.origin().tableError("a service needs servers or cluster", either);
        }
        List<String> serviceServers;
        String cluster = null;
        if (s.has("servers")) {
            serviceServers = s.names("servers", true);
            for (int i = 0; i < serviceServers.size(); i++) {
                requireDefined(s, "servers", i, "server", serviceServers.get(i), servers);
            }
        } else {
            cluster = s.requiredString("cluster", "the name of a monitor");
            requireDefined(s, "cluster", -1, "monitor", cluster, monitors);
            serviceServers = monitors.get(cluster).servers();
        }
        s.rejectRenamed("passwd", "password");
        String user = s.requiredString("user", "a user name");
        String password = password(s, secrets);
        String routerOptions = s.anyString("router_options", "");
        List<String> filterNames = s.names("filters", false);
        for (int i = 0; i < filterNames.size(); i++) {
            requireDefined(s, "filters", i, "filter", filterNames.get(i), filters);
        }
        ServiceConfig.Auth auth = serviceAuth(s);
        return new ServiceConfig(name, router, serviceServers, cluster, user, password, routerOptions, filterNames,
                s.integer("max_connections", 0, 0, Integer.MAX_VALUE),
                s.duration("connection_timeout", Duration.ZERO, ChronoUnit.SECONDS, Duration.ZERO),
                s.bool("enable_root_user", false),
                s.rest(), auth);
    }

    /** The authenticator's keys; read before {@link Section#rest()} so the router does not see them. */
    private static ServiceConfig.Auth serviceAuth(Section s) {
        ServiceConfig.Auth d = ServiceConfig.Auth.DEFAULTS;
        return new ServiceConfig.Auth(
                s.duration("users_refresh_time", d.usersRefreshTime(), ChronoUnit.SECONDS, Duration.ZERO),
                s.bool("localhost_match_wildcard_host", d.localhostMatchWildcardHost()),
                s.bool("skip_authentication", d.skipAuthentication()));
    }

    static ListenerConfig listener(String name, Section s, Map<String, ServiceConfig> services) {
        s.constant("type", List.of("listener"));
        s.constant("protocol", List.of("MariaDBClient", "MySQLClient"));
        s.constant("authenticator", List.of("MariaDBAuth", "MySQLAuth"));
        String service = s.requiredString("service", "the name of a service");
        requireDefined(s, "service", -1, "service", service, services);
        String address = s.string("address", "::");
        String socket = s.string("socket", null);
        int port;
        if (s.has("port")) {
            port = s.integer("port", 0, 1, 65535);
        } else if (socket == null) {
            throw s.origin().missing("port", "1..65535, or a socket path in 'socket'");
        } else {
            port = 0;
        }
        TlsConfig tls = TlsReader.read(s, true);
        List<String> networks = proxyNetworks(s);
        s.rejectUnknown(LISTENER_KEYS);
        return new ListenerConfig(name, service, address, port, socket, tls, networks);
    }

    /** {@code proxy_protocol_networks}: a string ("10.0.0.0/8, 192.168.1.5") or a list of them. */
    private static List<String> proxyNetworks(Section s) {
        Object v = s.value("proxy_protocol_networks");
        if (v == null) {
            return List.of();
        }
        List<String> list = v instanceof List<?> ? Values.stringList(s.origin(), "proxy_protocol_networks", v)
                : List.of(Values.string(s.origin(), "proxy_protocol_networks", v));
        try {
            io.loomscale.net.ProxyProtocolReader.parse(list);
        } catch (IllegalArgumentException e) {
            throw s.origin().error("proxy_protocol_networks", e.getMessage(),
                    "IP addresses and networks such as \"10.0.0.0/8, ::1\", or \"*\"");
        }
        return list;
    }

    /**
     * Two listeners clash when they would bind the same TCP address and port (a wildcard
     * address covers every address on its port) or the same socket path.
     */
    private static void checkClashes(ListenerConfig listener, Section s, Map<String, ListenerConfig> earlier,
            Map<String, Integer> keyLines) {
        for (ListenerConfig other : earlier.values()) {
            int otherLine = keyLines.get("listener." + other.name());
            if (listener.port() != 0 && listener.port() == other.port() && sameBind(listener.address(), other.address())) {
                throw s.origin().error("port", "address '" + listener.address() + "' port " + listener.port()
                        + " is already used by [listener." + other.name() + "] (address '" + other.address()
                        + "', line " + otherLine + ")", "an address and port no other listener binds");
            }
            if (listener.socket() != null && listener.socket().equals(other.socket())) {
                throw s.origin().error("socket", "socket '" + listener.socket() + "' is already used by [listener."
                        + other.name() + "] (line " + otherLine + ")", "a socket path no other listener uses");
            }
        }
    }

    private static boolean sameBind(String a, String b) {
        String x = a.toLowerCase(Locale.ROOT);
        String y = b.toLowerCase(Locale.ROOT);
        return x.equals(y) || WILDCARDS.contains(x) || WILDCARDS.contains(y);
    }

    /** Fails unless {@code name} is a key of {@code defined}; {@code index} < 0 for a single-valued key. */
    private static void requireDefined(Section s, String key, int index, String kind, String name,
            Map<String, ?> defined) {
        if (defined.containsKey(name)) {
            return;
        }
        String problem = kind + " '" + name + "' is not defined";
        String allowed = defined.isEmpty() ? "(no " + kind + " is defined)" : String.join(", ", defined.keySet());
        throw index < 0 ? s.origin().error(key, problem, allowed) : s.origin().elementError(key, index, problem, allowed);
    }

    private static Path path(Section s, String key, Path dflt) {
        String value = s.string(key, null);
        if (value == null) {
            return dflt;
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw s.origin().error(key, "invalid path: " + e.getReason(), "a file system path");
        }
    }
}
