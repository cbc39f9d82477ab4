package io.loomscale.admin;

import io.loomscale.config.FilterConfig;
import io.loomscale.config.GlobalConfig;
import io.loomscale.config.ListenerConfig;
import io.loomscale.config.MonitorConfig;
import io.loomscale.config.Params;
import io.loomscale.config.ServerConfig;
import io.loomscale.config.ServiceConfig;
import io.loomscale.filter.Filter;
import io.loomscale.monitor.Monitor;
import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.service.Listener;
import io.loomscale.service.LoomScale;
import io.loomscale.service.Service;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.ClientSession;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the JSON:API documents of the admin interface from the running proxy, in the shape of
 * MaxScale 2.2+'s REST API: a resource is {@code {id, type, attributes, relationships, links}};
 * a document is {@code {data: resource | [resources], links: {self}}}. Only reads; what it shows
 * is a snapshot taken while building (no locks, the runtime's counters are atomics and its states
 * immutable). Passwords never appear. Runs on the HTTP request's virtual thread.
 */
final class Resources {
    private final LoomScale ls;
    private final RuntimeConfig runtime;
    private final String base;
    private final long startedAt = System.currentTimeMillis();

    Resources(LoomScale ls, RuntimeConfig runtime, String base) {
        this.ls = ls;
        this.runtime = runtime;
        this.base = base;
    }

    static Map<String, Object> document(Object data, String self) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("links", Map.of("self", self));
        doc.put("data", data);
        return doc;
    }

    private Map<String, Object> resource(String type, String id, Map<String, Object> attributes,
            Map<String, Object> relationships) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("type", type);
        r.put("attributes", attributes);
        if (relationships != null) {
            r.put("relationships", relationships);
        }
        r.put("links", Map.of("self", base + "/v1/" + (type.equals("inet") ? "users/inet" : type) + "/" + id));
        return r;
    }

    private Map<String, Object> relation(String type, List<String> ids) {
        List<Object> data = new ArrayList<>();
        for (String id : ids) {
            data.add(Map.of("id", id, "type", type));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("links", Map.of("self", base + "/v1/" + type + "/"));
        m.put("data", data);
        return m;
    }

    static ApiException notFound(String kind, String name) {
        return new ApiException(404, "no " + kind + " named '" + name + "'");
    }

    // ---- maxscale --------------------------------------------------------------------------------

    Map<String, Object> maxscale() {
        GlobalConfig g = ls.config().global();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("threads", g.threads());
        params.put("session_threads", g.sessionThreads());
        params.put("log_level", g.logLevel());
        params.put("logdir", g.logdir().toString());
        params.put("datadir", g.datadir().toString());
        params.put("libdir", g.libdir().toString());
        params.put("admin_enabled", g.admin().enabled());
        params.put("admin_host", g.admin().host());
        params.put("admin_port", g.admin().port());
        params.put("admin_ssl", g.admin().tls());
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("parameters", params);
        a.put("version", LoomScale.version());
        a.put("started_at", Instant.ofEpochMilli(startedAt).toString());
        a.put("uptime", (System.currentTimeMillis() - startedAt) / 1000);
        a.put("config_file", ls.config().file());
        a.put("threads", ls.loops().length);
        a.put("sessions", ls.sessions().size());
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> jvm = new LinkedHashMap<>();
        jvm.put("java_version", Runtime.version().toString());
        jvm.put("heap_used_bytes", rt.totalMemory() - rt.freeMemory());
        jvm.put("heap_max_bytes", rt.maxMemory());
        jvm.put("platform_threads", ManagementFactory.getThreadMXBean().getThreadCount());
        jvm.put("available_processors", rt.availableProcessors());
        a.put("jvm", jvm);
        return resource("maxscale", "maxscale", a, null);
    }

    // ---- servers ---------------------------------------------------------------------------------

    List<Object> servers() {
        List<Object> out = new ArrayList<>();
        for (Server s : ls.servers().values()) {
            out.add(server(s));
        }
        return out;
    }

    Server findServer(String name) {
        Server s = ls.servers().get(name);
        if (s == null) {
            throw notFound("server", name);
        }
        return s;
    }

    Map<String, Object> server(Server s) {
        ServerConfig c = s.config();
        ServerState st = s.state();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("address", c.address());
        params.put("port", c.port());
        params.put("weight", c.weight());
        params.put("persistpoolmax", c.persistpoolmax());
        params.put("persistmaxtime", c.persistmaxtime().toSeconds());
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("connections", s.connections());
        stats.put("total_connections", s.totalConnections());
        stats.put("statements", s.statements());
        stats.put("active_operations", s.load().operations());
        stats.put("response_time_average_ms", s.load().averageNanos() / 1e6);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("parameters", params);
        a.put("state", st.describe());
        a.put("statistics", stats);
        a.put("replication_lag", st.lagSeconds());
        a.put("gtid_current_pos", st.gtidCurrentPos());
        a.put("server_id", st.serverId());
        a.put("read_only", st.readOnly());
        a.put("version_string", st.version());
        a.put("last_error", st.lastError());
        Map<String, Object> rel = new LinkedHashMap<>();
        rel.put("services", relation("services", servicesOf(s)));
        Monitor m = monitorOf(s);
        rel.put("monitors", relation("monitors", m == null ? List.of() : List.of(m.name())));
        return resource("servers", s.name(), a, rel);
    }

    List<String> servicesOf(Server s) {
        List<String> out = new ArrayList<>();
        for (Service svc : ls.services().values()) {
            if (svc.servers().contains(s)) {
                out.add(svc.name());
            }
        }
        return out;
    }

    Monitor monitorOf(Server s) {
        for (Monitor m : ls.monitors().values()) {
            if (m.servers().contains(s)) {
                return m;
            }
        }
        return null;
    }

    // ---- services --------------------------------------------------------------------------------

    List<Object> services() {
        List<Object> out = new ArrayList<>();
        for (Service s : ls.services().values()) {
            out.add(service(s));
        }
        return out;
    }

    Service findService(String name) {
        Service s = ls.services().get(name);
        if (s == null) {
            throw notFound("service", name);
        }
        return s;
    }

    Map<String, Object> service(Service s) {
        ServiceConfig c = s.config();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("router", c.router());
        params.put("user", c.user());
        params.put("router_options", c.routerOptions());
        params.put("max_connections", c.maxConnections());
        params.put("connection_timeout", c.connectionTimeout().toSeconds());
        params.put("enable_root_user", c.enableRootUser());
        if (c.cluster() != null) {
            params.put("cluster", c.cluster());
        }
        putParams(params, c.params());
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("connections", s.activeSessions());
        stats.put("total_connections", s.totalSessions());
        stats.put("statements", s.statements());
        stats.put("auth_failures", s.authFailures());
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("router", c.router());
        a.put("state", ls.isStarted() ? "Started" : "Stopped");
        a.put("parameters", params);
        a.put("statistics", stats);
        a.put("router_diagnostics", s.router().diagnostics());
        Map<String, Object> rel = new LinkedHashMap<>();
        rel.put("servers", relation("servers", s.servers().stream().map(Server::name).toList()));
        rel.put("filters", relation("filters", c.filters()));
        List<String> listeners = new ArrayList<>();
        for (Listener l : ls.listeners().values()) {
            if (l.config().service().equals(s.name())) {
                listeners.add(l.name());
            }
        }
        rel.put("listeners", relation("listeners", listeners));
        if (c.cluster() != null) {
            rel.put("monitors", relation("monitors", List.of(c.cluster())));
        }
        return resource("services", s.name(), a, rel);
    }

    private static void putParams(Map<String, Object> out, Params p) {
        for (String k : p.keys()) {
            if (!k.contains("password")) {
                out.put(k, plain(p.value(k)));
            }
        }
    }

    private static Object plain(Object v) {
        if (v instanceof String || v instanceof Number || v instanceof Boolean || v == null) {
            return v;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(Resources::plain).toList();
        }
        if (v instanceof org.tomlj.TomlArray arr) {
            return arr.toList().stream().map(Resources::plain).toList();
        }
        return v.toString();
    }

    // ---- listeners -------------------------------------------------------------------------------

    List<Object> listeners() {
        List<Object> out = new ArrayList<>();
        for (Listener l : ls.listeners().values()) {
            out.add(listener(l));
        }
        return out;
    }

    Listener findListener(String name) {
        Listener l = ls.listeners().get(name);
        if (l == null) {
            throw notFound("listener", name);
        }
        return l;
    }

    Map<String, Object> listener(Listener l) {
        ListenerConfig c = l.config();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("service", c.service());
        params.put("address", c.address());
        params.put("port", c.port());
        params.put("socket", c.socket());
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("accepted", l.accepted());
        stats.put("refused", l.refused());
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("state", ls.isStarted() ? "Running" : "Stopped");
        a.put("parameters", params);
        a.put("statistics", stats);
        Map<String, Object> rel = new LinkedHashMap<>();
        rel.put("services", relation("services", List.of(c.service())));
        return resource("listeners", l.name(), a, rel);
    }

    // ---- monitors --------------------------------------------------------------------------------

    List<Object> monitors() {
        List<Object> out = new ArrayList<>();
        for (Monitor m : ls.monitors().values()) {
            out.add(monitor(m));
        }
        return out;
    }

    Monitor findMonitor(String name) {
        Monitor m = ls.monitors().get(name);
        if (m == null) {
            throw notFound("monitor", name);
        }
        return m;
    }

    Map<String, Object> monitor(Monitor m) {
        MonitorConfig c = runtime.monitorConfig(m.name());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("user", c.user());
        params.put("monitor_interval", c.monitorInterval().toMillis());
        putParams(params, c.params());
        Map<String, Object> diag = m.diagnostics();
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("module", c.module());
        a.put("state", diag.getOrDefault("state", "Running"));
        a.put("parameters", params);
        a.put("monitor_diagnostics", diag);
        Map<String, Object> rel = new LinkedHashMap<>();
        rel.put("servers", relation("servers", m.servers().stream().map(Server::name).toList()));
        return resource("monitors", m.name(), a, rel);
    }

    // ---- filters ---------------------------------------------------------------------------------

    List<Object> filters() {
        List<Object> out = new ArrayList<>();
        for (String name : ls.filters().keySet()) {
            out.add(filter(name));
        }
        return out;
    }

    Map<String, Object> filter(String name) {
        Filter f = ls.filters().get(name);
        FilterConfig c = ls.config().filters().get(name);
        if (f == null || c == null) {
            throw notFound("filter", name);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        putParams(params, c.params());
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("module", c.module());
        a.put("parameters", params);
        a.put("filter_diagnostics", f.diagnostics());
        List<String> services = new ArrayList<>();
        for (Service s : ls.services().values()) {
            if (s.config().filters().contains(name)) {
                services.add(s.name());
            }
        }
        Map<String, Object> rel = new LinkedHashMap<>();
        rel.put("services", relation("services", services));
        return resource("filters", name, a, rel);
    }

    // ---- sessions --------------------------------------------------------------------------------

    List<Object> sessions() {
        List<ClientSession> list = new ArrayList<>(ls.sessions().all());
        list.sort(Comparator.comparingLong(ClientSession::id));
        List<Object> out = new ArrayList<>();
        for (ClientSession s : list) {
            out.add(session(s));
        }
        return out;
    }

    ClientSession findSession(String id) {
        long n;
        try {
            n = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ApiException(404, "no session with id '" + id + "': a session id is a number");
        }
        ClientSession s = ls.sessions().find(n);
        if (s == null) {
            throw new ApiException(404, "no session with id " + n);
        }
        return s;
    }

    Map<String, Object> session(ClientSession s) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("state", s.user() == null ? "Authenticating" : "Session started");
        a.put("user", s.user());
        a.put("remote", host(s.clientAddress()));
        a.put("database", s.database());
        a.put("connected", Instant.ofEpochMilli(s.connectedAt()).toString());
        a.put("idle", s.idleMillis() / 1000.0);
        a.put("current_statement", s.currentStatement());
        List<Object> backends = new ArrayList<>();
        for (BackendConnection b : s.backends()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("server", b.server().name());
            m.put("thread_id", b.threadId());
            m.put("closed", b.isClosed());
            backends.add(m);
        }
        a.put("backends", backends);
        Map<String, Object> rel = new LinkedHashMap<>();
        rel.put("services", relation("services", List.of(s.serviceName())));
        return resource("sessions", Long.toString(s.id()), a, rel);
    }

    private static String host(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return a == null ? "" : "localhost";
    }

    // ---- users -----------------------------------------------------------------------------------

    List<Object> users(AdminUsers users) {
        List<Object> out = new ArrayList<>();
        for (String u : users.names()) {
            out.add(resource("inet", u, Map.of("account", "admin"), null));
        }
        return out;
    }
}
