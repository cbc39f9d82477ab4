package io.loomscale.admin;

import io.loomscale.config.Json;
import io.loomscale.monitor.Monitor;
import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.service.LoomScale;
import io.loomscale.service.Service;
import io.loomscale.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The admin interface's requests, independent of HTTP: {@link #handle} maps a method and path to
 * a read of {@link Resources} or a change, and returns the JSON document (a map), a
 * {@link Text} (metrics), or null for "204 No Content". Refusals are {@link ApiException}s with
 * MaxScale's statuses: 404 for an unknown object, 400 for a bad request or value, 403 for a
 * change that is not allowed in the current state, 405 for a method the path does not take.
 *
 * <p>Changes are serialized by one lock (they are rare, and some span several objects); reads
 * take no lock. Every change is logged at INFO with what changed.
 */
final class AdminApi {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

    record Request(String method, List<String> path, List<Map.Entry<String, String>> query, String body) {
        String param(String name) {
            for (Map.Entry<String, String> e : query) {
                if (e.getKey().equals(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        String seg(int i) {
            return path.get(i);
        }
    }

    /** A non-JSON answer. */
    record Text(String text, String contentType) {
    }

    private final LoomScale ls;
    private final String base;
    private final RuntimeConfig runtime;
    private final Resources res;
    private final Changes changes;
    private final Metrics metrics;
    private final ReentrantLock changeLock = new ReentrantLock();
    private final UserRoutes userRoutes;
    private final LogRoutes logRoutes;

    AdminApi(LoomScale ls, AdminUsers users, LogFile logs, String base) {
        this.ls = ls;
        this.base = base;
        this.runtime = new RuntimeConfig(ls.config());
        this.res = new Resources(ls, runtime, base);
        this.changes = new Changes(ls, runtime, res);
        this.metrics = new Metrics(ls);
        this.userRoutes = new UserRoutes(this, users, res);
        this.logRoutes = new LogRoutes(this, logs);
    }

    static Map<String, Object> errors(String detail) {
        return Map.of("errors", List.of(Map.of("detail", detail)));
    }

    Object handle(Request r) throws InterruptedException {
        List<String> p = r.path();
        if (p.size() == 1 && p.get(0).equals("metrics")) {
            requireMethod(r, "GET");
            return new Text(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
        }
        if (p.isEmpty() || !p.get(0).equals("v1") || p.size() < 2) {
            throw new ApiException(404, "no such resource: /" + String.join("/", p) + "; the API is under /v1/");
        }
        String kind = p.get(1);
        return switch (kind) {
            case "maxscale" -> maxscale(r);
            case "servers" -> servers(r);
            case "services" -> services(r);
            case "listeners" -> listeners(r);
            case "monitors" -> monitors(r);
            case "filters" -> filters(r);
            case "sessions" -> sessions(r);
            case "users" -> userRoutes.handle(r);
            default -> throw new ApiException(404, "no such resource collection: /v1/" + kind
                    + "; allowed: maxscale, servers, services, listeners, monitors, filters, sessions, users");
        };
    }

    String self(Request r) {
        return base + "/" + String.join("/", r.path());
    }

    static void requireMethod(Request r, String... allowed) {
        for (String m : allowed) {
            if (m.equals(r.method())) {
                return;
            }
        }
        throw new ApiException(405, "method " + r.method() + " is not allowed on /" + String.join("/", r.path())
                + "; allowed: " + String.join(", ", allowed));
    }

    static ApiException noPath(Request r) {
        return new ApiException(404, "no such resource: /" + String.join("/", r.path()));
    }

    /** Runs a change under the one change lock. */
    <T> T locked(java.util.concurrent.Callable<T> change) throws InterruptedException {
        changeLock.lock();
        try {
            return change.call();
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ApiException(500, e.toString());
        } finally {
            changeLock.unlock();
        }
    }

    // ---- /v1/maxscale ----------------------------------------------------------------------------

    private Object maxscale(Request r) throws InterruptedException {
        List<String> p = r.path();
        if (p.size() == 2) {
            requireMethod(r, "GET");
            return Resources.document(res.maxscale(), self(r));
        }
        if (p.get(2).equals("logs")) {
            return logRoutes.handle(r);
        }
        if (p.get(2).equals("modules") && p.size() == 5) {
            requireMethod(r, "POST");
            return moduleCommand(r, p.get(3), p.get(4));
        }
        throw noPath(r);
    }

    /** {@code POST /v1/maxscale/modules/MODULE/COMMAND?MONITOR&ARG...}: MaxScale's module-command shape. */
    private Object moduleCommand(Request r, String module, String command) throws InterruptedException {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> e : r.query()) {
            args.add(e.getValue() == null ? e.getKey() : e.getKey() + "=" + e.getValue());
        }
        if (args.isEmpty()) {
            throw new ApiException(400, "module command " + module + " " + command
                    + " needs the monitor's name as its first argument: ?MONITOR[&ARG...]");
        }
        Monitor m = res.findMonitor(args.get(0));
        String monitorModule = runtime.monitorConfig(m.name()).module();
        if (!sameModule(module, monitorModule)) {
            throw new ApiException(400, "monitor " + m.name() + " is a " + monitorModule + " monitor, not " + module);
        }
        String out;
        try {
            out = m.command(command, args.subList(1, args.size()));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        } catch (IllegalStateException e) {
            throw new ApiException(403, e.getMessage());
        }
        log.info("admin: {} {} {}: {}", module, command, args, out);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("result", out);
        return Map.of("meta", meta);
    }

    private static boolean sameModule(String a, String b) {
        String x = a.equalsIgnoreCase("mysqlmon") ? "mariadbmon" : a.toLowerCase(Locale.ROOT);
        String y = b.equalsIgnoreCase("mysqlmon") ? "mariadbmon" : b.toLowerCase(Locale.ROOT);
        return x.equals(y);
    }

    // ---- /v1/servers -----------------------------------------------------------------------------

    private Object servers(Request r) throws InterruptedException {
        List<String> p = r.path();
        if (p.size() == 2) {
            requireMethod(r, "GET", "POST");
            if (r.method().equals("POST")) {
                Object doc = body(r);
                return locked(() -> {
                    changes.createServer(doc);
                    return null;
                });
            }
            return Resources.document(res.servers(), self(r));
        }
        String name = p.get(2);
        if (p.size() == 3) {
            requireMethod(r, "GET", "PATCH", "DELETE");
            return switch (r.method()) {
                case "GET" -> Resources.document(res.server(res.findServer(name)), self(r));
                case "PATCH" -> {
                    Object doc = body(r);
                    yield locked(() -> {
                        changes.patchServer(name, doc);
                        return null;
                    });
                }
                default -> locked(() -> {
                    changes.destroyServer(name);
                    return null;
                });
            };
        }
        if (p.size() == 4 && (p.get(3).equals("set") || p.get(3).equals("clear"))) {
            requireMethod(r, "PUT");
            Server s = res.findServer(name);
            String state = r.param("state");
            boolean on = p.get(3).equals("set");
            locked(() -> {
                setState(s, state, on);
                return null;
            });
            return null;
        }
        if (p.size() == 5 && p.get(3).equals("relationships")) {
            requireMethod(r, "PATCH");
            Object doc = body(r);
            return locked(() -> {
                changes.serverRelationship(name, p.get(4), doc);
                return null;
            });
        }
        throw noPath(r);
    }

    private void setState(Server s, String state, boolean on) {
        if (state == null) {
            throw new ApiException(400, "missing ?state=; allowed: maintenance, drain");
        }
        switch (state.toLowerCase(Locale.ROOT)) {
            case "maintenance" -> {
                Monitor m = res.monitorOf(s);
                if (m != null) {
                    m.setMaintenance(s.name(), on);
                } else {
                    s.adminFlag(ServerState.MAINTENANCE, on);
                }
            }
            case "drain" -> s.adminFlag(ServerState.DRAIN, on);
            default -> throw new ApiException(400, "state '" + state + "' cannot be set or cleared; allowed: maintenance, drain");
        }
        ServerFlags.save(ls, ls.config().global().datadir());
        log.info("admin: server {}: {} {} (now {})", s.name(), on ? "set" : "cleared", state, s.state().describe());
    }

    // ---- /v1/services ----------------------------------------------------------------------------

    private Object services(Request r) throws InterruptedException {
        List<String> p = r.path();
        if (p.size() == 2) {
            requireMethod(r, "GET");
            return Resources.document(res.services(), self(r));
        }
        String name = p.get(2);
        if (p.size() == 3) {
            requireMethod(r, "GET", "PATCH");
            if (r.method().equals("PATCH")) {
                Object doc = body(r);
                return locked(() -> {
                    changes.patchService(name, doc);
                    return null;
                });
            }
            return Resources.document(res.service(res.findService(name)), self(r));
        }
        if (p.size() == 4 && p.get(3).equals("reload")) {
            requireMethod(r, "POST");
            Service s = res.findService(name);
            s.reloadAccounts();
            log.info("admin: service {}: user accounts reloaded", name);
            return null;
        }
        if (p.size() == 4 && p.get(3).equals("listeners")) {
            requireMethod(r, "GET");
            res.findService(name);
            List<Object> out = new ArrayList<>();
            for (var l : ls.listeners().values()) {
                if (l.config().service().equals(name)) {
                    out.add(res.listener(l));
                }
            }
            return Resources.document(out, self(r));
        }
        if (p.size() == 5 && p.get(3).equals("relationships") && p.get(4).equals("servers")) {
            requireMethod(r, "PATCH");
            Object doc = body(r);
            return locked(() -> {
                changes.serviceServers(name, ids(doc, "servers"));
                return null;
            });
        }
        throw noPath(r);
    }

    // ---- /v1/listeners, /v1/filters ------------------------------------------------------------

    private Object listeners(Request r) {
        requireMethod(r, "GET");
        List<String> p = r.path();
        if (p.size() == 2) {
            return Resources.document(res.listeners(), self(r));
        }
        if (p.size() == 3) {
            return Resources.document(res.listener(res.findListener(p.get(2))), self(r));
        }
        throw noPath(r);
    }

    private Object filters(Request r) {
        requireMethod(r, "GET");
        List<String> p = r.path();
        if (p.size() == 2) {
            return Resources.document(res.filters(), self(r));
        }
        if (p.size() == 3) {
            return Resources.document(res.filter(p.get(2)), self(r));
        }
        throw noPath(r);
    }

    // ---- /v1/monitors ----------------------------------------------------------------------------

    private Object monitors(Request r) throws InterruptedException {
        List<String> p = r.path();
        if (p.size() == 2) {
            requireMethod(r, "GET");
            return Resources.document(res.monitors(), self(r));
        }
        String name = p.get(2);
        if (p.size() == 3) {
            requireMethod(r, "GET", "PATCH");
            if (r.method().equals("PATCH")) {
                Object doc = body(r);
                return locked(() -> {
                    changes.patchMonitor(name, doc);
                    return null;
                });
            }
            return Resources.document(res.monitor(res.findMonitor(name)), self(r));
        }
        if (p.size() == 5 && p.get(3).equals("relationships") && p.get(4).equals("servers")) {
            requireMethod(r, "PATCH");
            Object doc = body(r);
            return locked(() -> {
                changes.monitorServers(name, ids(doc, "servers"));
                return null;
            });
        }
        throw noPath(r);
    }

    // ---- /v1/sessions ----------------------------------------------------------------------------

    private Object sessions(Request r) {
        List<String> p = r.path();
        if (p.size() == 2) {
            requireMethod(r, "GET");
            return Resources.document(res.sessions(), self(r));
        }
        if (p.size() == 3) {
            requireMethod(r, "GET", "DELETE");
            ClientSession s = res.findSession(p.get(2));
            if (r.method().equals("DELETE")) {
                s.kill();
                log.info("admin: session {} ({}) killed", s.id(), s.user());
                return null;
            }
            return Resources.document(res.session(s), self(r));
        }
        throw noPath(r);
    }

    // ---- bodies ----------------------------------------------------------------------------------

    static Object body(Request r) {
        if (r.body().isBlank()) {
            throw new ApiException(400, "this request needs a JSON body");
        }
        try {
            return Json.parse(r.body());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    /** The ids of a relationship document: {@code {"data":[{"id":..,"type":..}]}}. */
    static List<String> ids(Object doc, String type) {
        Object data = Json.at(doc, "data");
        if (!(data instanceof List<?> list)) {
            throw new ApiException(400, "expected data as a list of {\"id\": NAME, \"type\": \"" + type + "\"}");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            Object id = Json.at(o, "id");
            Object t = Json.at(o, "type");
            if (!(id instanceof String s) || (t != null && !type.equals(t))) {
                throw new ApiException(400, "expected each element of data as {\"id\": NAME, \"type\": \"" + type + "\"}");
            }
            out.add(s);
        }
        return out;
    }
}
