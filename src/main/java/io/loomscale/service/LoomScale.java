package io.loomscale.service;

import io.loomscale.config.FilterConfig;
import io.loomscale.config.ListenerConfig;
import io.loomscale.config.LoomScaleConfig;
import io.loomscale.config.MonitorConfig;
import io.loomscale.config.ServerConfig;
import io.loomscale.config.ServiceConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;
import io.loomscale.module.Authenticator;
import io.loomscale.module.AuthenticatorModule;
import io.loomscale.module.Modules;
import io.loomscale.monitor.Monitor;
import io.loomscale.monitor.MonitorModule;
import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.net.EventLoop;
import io.loomscale.router.Router;
import io.loomscale.router.RouterModule;
import io.loomscale.session.ClientSession;
import io.loomscale.session.SessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The whole proxy built from one configuration: selector loops, servers, monitors, filters,
 * services and listeners. {@link #build} creates every module (so a bad module key fails here,
 * which is what {@code loomscale check} runs); {@link #start} opens sockets and starts threads;
 * {@link #stop} stops accepting, lets sessions end for a bounded time, then closes everything.
 */
public final class LoomScale {
    private static final Logger log = LoggerFactory.getLogger(LoomScale.class);

    private final LoomScaleConfig config;
    private final EventLoop[] loops;
    /** Copied on write after build ({@link #putServer}), so readers iterate without locks. */
    private volatile Map<String, Server> servers = new LinkedHashMap<>();
    /** Copied on write after build ({@link #putMonitor}). */
    private volatile Map<String, Monitor> monitors = new LinkedHashMap<>();
    private final Map<String, Filter> filters = new LinkedHashMap<>();
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final Map<String, Listener> listeners = new LinkedHashMap<>();
    private final SessionRegistry registry = new SessionRegistry();
    private final io.loomscale.session.PersistentPool pool = new io.loomscale.session.PersistentPool();
    private volatile boolean started;

    private LoomScale(LoomScaleConfig config, EventLoop[] loops) {
        this.config = config;
        this.loops = loops;
    }

    /** Builds every object and module; starts nothing. Throws ConfigException for module-level errors. */
    public static LoomScale build(LoomScaleConfig config, Modules modules) throws IOException {
        EventLoop[] loops = new EventLoop[config.global().threads()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new EventLoop("loomscale-io-" + i);
        }
        LoomScale ls = new LoomScale(config, loops);
        Map<String, String> monitorOf = new LinkedHashMap<>();
        for (MonitorConfig m : config.monitors().values()) {
            for (String s : m.servers()) {
                monitorOf.put(s, m.name());
            }
        }
        for (ServerConfig s : config.servers().values()) {
            ls.servers.put(s.name(), new Server(s, monitorOf.containsKey(s.name()) ? ServerState.UNKNOWN
                    : ServerState.ASSUMED_RUNNING));
        }
        for (MonitorConfig m : config.monitors().values()) {
            MonitorModule mod = modules.monitor(m.module());
            if (mod == null) {
                throw m.params().error("module", "unknown monitor module '" + m.module() + "'",
                        String.join(", ", modules.monitorNames()));
            }
            ls.monitors.put(m.name(), mod.create(m, ls.serverList(m.servers()), config.global().datadir()));
        }
        for (FilterConfig f : config.filters().values()) {
            FilterModule mod = modules.filter(f.module());
            if (mod == null) {
                throw f.params().error("module", "unknown filter module '" + f.module() + "'",
                        modules.filterNames().isEmpty() ? "(no filter modules installed)" : String.join(", ", modules.filterNames()));
            }
            ls.filters.put(f.name(), mod.create(f, new io.loomscale.filter.FilterEnv(config.servers().keySet(),
                    config.services().keySet(), ls::listenerAddressOf)));
        }
        AuthenticatorModule auth = modules.authenticator("MariaDBAuth");
        for (ServiceConfig sc : config.services().values()) {
            RouterModule mod = modules.router(sc.router());
            if (mod == null) {
                throw sc.params().error("router", "unknown router module '" + sc.router() + "'",
                        String.join(", ", modules.routerNames()));
            }
            List<Server> list = sc.cluster() != null
                    ? ls.monitors.get(sc.cluster()).servers() : ls.serverList(sc.servers());
            // The admin interface may link and unlink servers at run time: the router and the
            // authenticator read the service's current list.
            AtomicReference<List<Server>> current = new AtomicReference<>(List.copyOf(list));
            Router router = mod.create(sc, current::get);
            Authenticator a = auth.create(sc, current::get);
            List<Filter> fl = new ArrayList<>();
            for (String fn : sc.filters()) {
                fl.add(ls.filters.get(fn));
            }
            ls.services.put(sc.name(), new Service(sc, current, router, fl, a, loops, ls.registry, ls.pool));
        }
        for (ListenerConfig lc : config.listeners().values()) {
            ls.listeners.put(lc.name(), new Listener(lc, ls.services.get(lc.service()),
                    config.where("listener." + lc.name() + "." + (lc.port() > 0 ? "port" : "socket"))));
        }
        return ls;
    }

    private List<Server> serverList(List<String> names) {
        List<Server> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(servers.get(n));
        }
        return out;
    }

    /** Starts loops and monitors, waits for the first monitor tick, loads accounts, then listens. */
    public void start() throws InterruptedException {
        log.info("LoomScale {} starting with {} selector thread(s)", version(), loops.length);
        for (EventLoop l : loops) {
            l.start();
        }
        for (Server s : servers.values()) {
            log.info("Server {} at {}:{} (weight {})", s.name(), s.address(), s.port(), s.weight());

        }
        for (Monitor m : monitors.values()) {
            m.start();
        }
        for (Monitor m : monitors.values()) {
            if (!m.awaitTick(10_000)) {
                log.warn("monitor {} has not finished its first check yet", m.name());
            }
            for (Server s : m.servers()) {
                log.info("Monitor {}: server {} is {}", m.name(), s.name(), s.state().describe());
            }
        }
        for (Service s : services.values()) {
            s.start();
            log.info("Service {} (router {}) on servers {}", s.name(), s.config().router(),
                    s.servers().stream().map(Server::name).toList());
        }
        try {
            for (Listener l : listeners.values()) {
                l.start();
            }
        } catch (RuntimeException e) {
            stop(Duration.ZERO);
            throw e;
        }
        started = true;
        log.info("LoomScale started");
    }

    /** Stops accepting, waits up to {@code grace} for sessions to end, then closes everything. */
    public void stop(Duration grace) {
        log.info("LoomScale shutting down");
        for (Listener l : listeners.values()) {
            l.stop();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (registry.size() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ClientSession s : registry.all()) {
            s.kill();
        }
        long killDeadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (registry.size() > 0 && System.nanoTime() < killDeadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        pool.closeAll();
        for (Filter f : filters.values()) {
            try {
                f.close();
            } catch (RuntimeException e) {
                log.warn("filter close failed", e);
            }
        }
        for (Monitor m : monitors.values()) {
            m.stop();
        }
        for (EventLoop l : loops) {
            l.shutdown();
        }
        started = false;
        log.info("LoomScale stopped ({} session(s) were still open)", registry.size());
    }

    /** A loopback-reachable TCP address of a listener of {@code service}, or null (tee's branch). */
    private java.net.InetSocketAddress listenerAddressOf(String service) {
        for (Listener l : listeners.values()) {
            if (l.config().service().equals(service) && l.config().port() > 0) {
                String a = l.config().address();
                String host = a == null || a.equals("::") || a.equals("0.0.0.0") ? "127.0.0.1" : a;
                return new java.net.InetSocketAddress(host, l.port());
            }
        }
        return null;
    }

    public static String version() {
        String v = LoomScale.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public LoomScaleConfig config() {
        return config;
    }

    public Map<String, Server> servers() {
        return servers;
    }

    public Map<String, Monitor> monitors() {
        return monitors;
    }

    /** Adds or replaces a server at run time (admin interface). */
    public synchronized void putServer(Server s) {
        Map<String, Server> m = new LinkedHashMap<>(servers);
        m.put(s.name(), s);
        servers = m;
    }

    /** Removes a server at run time; the caller has made sure nothing uses it. */
    public synchronized void removeServer(String name) {
        Map<String, Server> m = new LinkedHashMap<>(servers);
        m.remove(name);
        servers = m;
    }

    /** Adds or replaces a monitor at run time (admin interface); the caller stops the old one. */
    public synchronized void putMonitor(Monitor mon) {
        Map<String, Monitor> m = new LinkedHashMap<>(monitors);
        m.put(mon.name(), mon);
        monitors = m;
    }

    public Map<String, Filter> filters() {
        return filters;
    }

    public Map<String, Service> services() {
        return services;
    }

    public Map<String, Listener> listeners() {
        return listeners;
    }

    public io.loomscale.session.PersistentPool pool() {
        return pool;
    }

    public SessionRegistry sessions() {
        return registry;
    }

    public EventLoop[] loops() {
        return loops;
    }

    public boolean isStarted() {
        return started;
    }

    /** Validates the module-level parts of a config by building (not starting) it. */
    public static void check(LoomScaleConfig config, Modules modules) throws IOException {
        LoomScale ls = build(config, modules);
        for (EventLoop l : ls.loops) {
            l.shutdown();
        }
        for (Filter f : ls.filters.values()) {
            f.close(); // writer threads of log filters
        }
    }

}
