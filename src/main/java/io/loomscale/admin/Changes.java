package io.loomscale.admin;

import io.loomscale.config.Json;
import io.loomscale.config.ConfigException;
import io.loomscale.config.LoomScaleConfig;
import io.loomscale.config.MonitorConfig;
import io.loomscale.config.ServiceConfig;
import io.loomscale.module.Modules;
import io.loomscale.monitor.Monitor;
import io.loomscale.monitor.MonitorModule;
import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.service.LoomScale;
import io.loomscale.service.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The admin interface's changes to the running proxy: create, alter and destroy servers, link
 * servers to services and monitors, alter services and monitors. Each change edits the
 * configuration tables, has {@link RuntimeConfig#propose} check them as the loader checks a file,
 * applies the result to the live objects, then {@link RuntimeConfig#commit}s (persists) it.
 *
 * <p>What changes at run time and how:
 * <ul>
 * <li>a server's {@code address}, {@code port}, {@code weight}, {@code persistpoolmax},
 *     {@code persistmaxtime}: new connections use them; open ones stay;</li>
 * <li>a service's {@code max_connections} and {@code connection_timeout}, and its server list
 *     (a service with {@code cluster} takes its monitor's servers: link those to the monitor);</li>
 * <li>a monitor's keys and servers: the monitor is rebuilt from the new config and restarted
 *     (its servers keep maintenance); services with {@code cluster} follow its server list.</li>
 * </ul>
 * Anything else is refused with 403 naming what can change. Called with {@link AdminApi}'s lock held.
 */
final class Changes {
    private static final Logger log = LoggerFactory.getLogger(Changes.class);
    static final Set<String> SERVICE_RUNTIME_KEYS = Set.of("max_connections", "connection_timeout");
    static final Set<String> SERVER_KEYS = Set.of("address", "port", "weight", "persistpoolmax", "persistmaxtime");

    private final LoomScale ls;
    private final RuntimeConfig runtime;
    private final Resources res;
    private Modules modules;

    Changes(LoomScale ls, RuntimeConfig runtime, Resources res) {
        this.ls = ls;
        this.runtime = runtime;
        this.res = res;
    }

    // ---- servers ---------------------------------------------------------------------------------

    void createServer(Object doc) {
        Object id = Json.at(doc, "data", "id");
        if (!(id instanceof String name) || name.isEmpty()) {
            throw new ApiException(400, "expected data.id: the new server's name");
        }
        if (ls.servers().containsKey(name)) {
            throw new ApiException(403, "a server named '" + name + "' already exists");
        }
        Map<String, Object> params = parameters(doc, true);
        Map<String, Map<String, Object>> t = runtime.tables();
        t.put("server." + name, new LinkedHashMap<>(params));
        LoomScaleConfig next = runtime.propose(t);
        ls.putServer(new Server(next.servers().get(name), ServerState.ASSUMED_RUNNING));
        runtime.commit(next);
        log.info("admin: server {} created at {}:{}", name, next.servers().get(name).address(),
                next.servers().get(name).port());
        relationships(name, doc);
    }

    void patchServer(String name, Object doc) {
        Server s = res.findServer(name);
        Map<String, Object> params = parameters(doc, false);
        if (!params.isEmpty()) {
            for (String k : params.keySet()) {
                if (!SERVER_KEYS.contains(k)) {
                    throw new ApiException(403, "server parameter '" + k + "' cannot be changed at run time; allowed: "
                            + String.join(", ", new java.util.TreeSet<>(SERVER_KEYS)));
                }
            }
            Map<String, Map<String, Object>> t = runtime.tables();
            t.get("server." + name).putAll(params);
            LoomScaleConfig next = runtime.propose(t);
            s.config(next.servers().get(name));
            runtime.commit(next);
            log.info("admin: server {} altered: {}", name, params);
        }
        relationships(name, doc);
    }

    /** {@code data.relationships.services/monitors} of a server document, when present. */
    private void relationships(String server, Object doc) {
        Object services = Json.at(doc, "data", "relationships", "services");
        if (services != null) {
            serverRelationship(server, "services", services);
        }
        Object monitors = Json.at(doc, "data", "relationships", "monitors");
        if (monitors != null) {
            serverRelationship(server, "monitors", monitors);
        }
    }

    /** Makes the server a member of exactly the services (or monitors) listed. */
    void serverRelationship(String server, String kind, Object relDoc) {
        Server s = res.findServer(server);
        List<String> wanted = AdminApi.ids(relDoc, kind);
        switch (kind) {
            case "services" -> {
                for (String w : wanted) {
                    res.findService(w);
                }
                for (Service svc : List.copyOf(ls.services().values())) {
                    List<String> names = new ArrayList<>(svc.servers().stream().map(Server::name).toList());
                    boolean in = names.contains(server);
                    boolean want = wanted.contains(svc.name());
                    if (in != want) {
                        if (want) {
                            names.add(server);
                        } else {
                            names.remove(server);
                        }
                        serviceServers(svc.name(), names);
                    }
                }
            }
            case "monitors" -> {
                if (wanted.size() > 1) {
                    throw new ApiException(400, "a server is watched by at most one monitor; got " + wanted);
                }
                for (String w : wanted) {
                    res.findMonitor(w);
                }
                Monitor now = res.monitorOf(s);
                if (now != null && !wanted.contains(now.name())) {
                    List<String> names = new ArrayList<>(now.servers().stream().map(Server::name).toList());
                    names.remove(server);
                    monitorServers(now.name(), names);
                }
                if (!wanted.isEmpty() && (now == null || !now.name().equals(wanted.get(0)))) {
                    Monitor m = res.findMonitor(wanted.get(0));
                    List<String> names = new ArrayList<>(m.servers().stream().map(Server::name).toList());
                    names.add(server);
                    monitorServers(m.name(), names);
                }
            }
            default -> throw new ApiException(404, "a server has no relationship '" + kind + "'; allowed: services, monitors");
        }
    }

    void destroyServer(String name) {
        Server s = res.findServer(name);
        List<String> users = new ArrayList<>(res.servicesOf(s));
        Monitor m = res.monitorOf(s);
        if (m != null) {
            users.add("monitor " + m.name());
        }
        if (!users.isEmpty()) {
            throw new ApiException(403, "server '" + name + "' is still used by " + String.join(", ", users)
                    + "; unlink it first");
        }
        Map<String, Map<String, Object>> t = runtime.tables();
        t.remove("server." + name);
        LoomScaleConfig next = runtime.propose(t);
        ls.removeServer(name);
        runtime.commit(next);
        log.info("admin: server {} destroyed", name);
    }

    // ---- services --------------------------------------------------------------------------------

    void patchService(String name, Object doc) {
        Service svc = res.findService(name);
        Map<String, Object> params = parameters(doc, false);
        for (String k : params.keySet()) {
            if (!SERVICE_RUNTIME_KEYS.contains(k)) {
                throw new ApiException(403, "service parameter '" + k + "' cannot be changed at run time; allowed: "
                        + String.join(", ", new java.util.TreeSet<>(SERVICE_RUNTIME_KEYS))
                        + " (and its servers through relationships)");
            }
        }
        if (!params.isEmpty()) {
            Map<String, Map<String, Object>> t = runtime.tables();
            t.get("service." + name).putAll(params);
            LoomScaleConfig next = runtime.propose(t);
            svc.config(next.services().get(name));
            runtime.commit(next);
            log.info("admin: service {} altered: {}", name, params);
        }
        Object servers = Json.at(doc, "data", "relationships", "servers");
        if (servers != null) {
            serviceServers(name, AdminApi.ids(servers, "servers"));
        }
    }

    void serviceServers(String name, List<String> servers) {
        Service svc = res.findService(name);
        ServiceConfig sc = svc.config();
        if (sc.cluster() != null) {
            throw new ApiException(403, "service '" + name + "' takes its servers from monitor '" + sc.cluster()
                    + "' (cluster): link the servers to that monitor instead");
        }
        Map<String, Map<String, Object>> t = runtime.tables();
        t.get("service." + name).put("servers", servers);
        LoomScaleConfig next = runtime.propose(t);
        List<Server> list = new ArrayList<>();
        for (String n : servers) {
            list.add(ls.servers().get(n));
        }
        svc.servers(list);
        svc.config(next.services().get(name));
        runtime.commit(next);
        log.info("admin: service {} now uses servers {}", name, servers);
    }

    // ---- monitors --------------------------------------------------------------------------------

    void patchMonitor(String name, Object doc) {
        res.findMonitor(name);
        Map<String, Object> params = parameters(doc, false);
        if (params.containsKey("module") || params.containsKey("servers")) {
            throw new ApiException(403, "a monitor's module cannot change, and its servers change through relationships");
        }
        Map<String, Map<String, Object>> t = runtime.tables();
        t.get("monitor." + name).putAll(params);
        Object servers = Json.at(doc, "data", "relationships", "servers");
        if (servers != null) {
            t.get("monitor." + name).put("servers", AdminApi.ids(servers, "servers"));
        }
        rebuildMonitor(name, t);
        log.info("admin: monitor {} altered: {}", name, params);
    }

    void monitorServers(String name, List<String> servers) {
        res.findMonitor(name);
        Map<String, Map<String, Object>> t = runtime.tables();
        t.get("monitor." + name).put("servers", servers);
        rebuildMonitor(name, t);
        log.info("admin: monitor {} now watches {}", name, servers);
    }

    /** Builds the monitor from its new table, stops the old one, starts the new one. */
    private void rebuildMonitor(String name, Map<String, Map<String, Object>> tables) {
        LoomScaleConfig next = runtime.propose(tables);
        MonitorConfig mc = next.monitors().get(name);
        Monitor old = ls.monitors().get(name);
        List<Server> servers = new ArrayList<>();
        for (String n : mc.servers()) {
            servers.add(ls.servers().get(n));
        }
        if (modules == null) {
            modules = Modules.load(next.global().libdir());
        }
        MonitorModule mod = modules.monitor(mc.module());
        Monitor fresh;
        try {
            fresh = mod.create(mc, servers, next.global().datadir()); // the same journal as the old one
        } catch (ConfigException e) {
            throw new ApiException(400, e.getMessage());
        }
        old.stop();
        for (Server s : old.servers()) {
            if (!servers.contains(s)) {
                s.state(ServerState.ASSUMED_RUNNING); // no longer watched: assumed running, no role
            }
        }
        for (Server s : servers) {
            if (s.state().inMaintenance() && (s.adminFlags() & ServerState.MAINTENANCE) == 0) {
                fresh.setMaintenance(s.name(), true);
            } else if (!old.servers().contains(s)) {
                s.state(ServerState.UNKNOWN);
            }
        }
        fresh.start();
        ls.putMonitor(fresh);
        for (Service svc : ls.services().values()) {
            if (name.equals(svc.config().cluster())) {
                svc.servers(servers);
                svc.config(next.services().get(svc.name()));
            }
        }
        runtime.commit(next);
        try {
            if (!fresh.awaitTick(10_000)) {
                log.warn("admin: monitor {} has not finished its first check yet", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- bodies ----------------------------------------------------------------------------------

    /** {@code data.attributes.parameters} of a document; required or empty. */
    private static Map<String, Object> parameters(Object doc, boolean required) {
        Object p = Json.at(doc, "data", "attributes", "parameters");
        if (p == null) {
            if (required) {
                throw new ApiException(400, "expected data.attributes.parameters (address, port, ...)");
            }
            return Map.of();
        }
        if (!(p instanceof Map<?, ?> m)) {
            throw new ApiException(400, "data.attributes.parameters must be an object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v == null) {
                throw new ApiException(400, "parameter '" + k + "' is null; give a value");
            }
            out.put((String) k, v);
        });
        return out;
    }
}
