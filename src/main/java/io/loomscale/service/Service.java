package io.loomscale.service;

import io.loomscale.config.ServiceConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterChain;
import io.loomscale.filter.FilterSession;
import io.loomscale.module.Authenticator;
import io.loomscale.monitor.Server;
import io.loomscale.net.EventLoop;
import io.loomscale.protocol.Capabilities;
import io.loomscale.protocol.client.SqlConnection;
import io.loomscale.router.Router;
import io.loomscale.router.RouterSession;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.Downstream;
import io.loomscale.session.ServiceHandle;
import io.loomscale.session.SessionContext;
import io.loomscale.session.SessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A service at run time: its router, filters, authenticator and servers, and what its sessions
 * share (the loops, the session registry). Thread-safe; sessions call it concurrently.
 */
public final class Service implements ServiceHandle {
    private static final Logger log = LoggerFactory.getLogger(Service.class);
    static final String DEFAULT_VERSION = "5.5.5-10.11.0-MariaDB-LoomScale";

    private volatile ServiceConfig config;
    /** Shared with the router and the authenticator, which read it on every choice. */
    private final AtomicReference<List<Server>> servers;
    private final Router router;
    private final List<Filter> filters;
    private final Authenticator authenticator;
    private final EventLoop[] loops;
    private final SessionRegistry registry;
    private final io.loomscale.session.PersistentPool pool;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong sessionsTotal = new AtomicLong();
    private final AtomicLong authFailures = new AtomicLong();
    private volatile String version;
    private volatile long backendCaps = -1L;

    Service(ServiceConfig config, AtomicReference<List<Server>> servers, Router router, List<Filter> filters, Authenticator authenticator,
            EventLoop[] loops, SessionRegistry registry, io.loomscale.session.PersistentPool pool) {
        this.config = config;
        this.servers = servers;
        this.router = router;
        this.filters = List.copyOf(filters);
        this.authenticator = authenticator;
        this.loops = loops;
        this.registry = registry;
        this.pool = pool;
    }

    /** Loads accounts and learns the backends' version and capabilities; failures are logged. */
    void start() {
        authenticator.reload();
        probe();
    }

    private void probe() {
        for (Server s : servers.get()) {
            if (!s.state().isRunning()) {
                continue;
            }
            try (SqlConnection c = SqlConnection.open(s.address(), s.port(), config.user(), config.password(),
                    backendTimeout(), io.loomscale.tls.TlsContext.forServer(s.config().tls()))) {
                learn(c.serverVersion(), c.handshake().capabilities());
                return;
            } catch (IOException | RuntimeException e) {
                log.warn("service {}: cannot log in to {} as '{}': {}", name(), s, config.user(), e.getMessage());
            }
        }
    }

    private void learn(String v, long caps) {
        version = v;
        backendCaps = caps;
    }

    public ServiceConfig config() {
        return config;
    }

    public List<Server> servers() {
        return servers.get();
    }

    public Router router() {
        return router;
    }

    @Override
    public String name() {
        return config.name();
    }

    /** Admits one more session, or returns false when {@code max_connections} is reached. */
    boolean admit() {
        int max = config.maxConnections();
        if (max <= 0) {
            active.incrementAndGet();
            return true;
        }
        while (true) {
            int n = active.get();
            if (n >= max) {
                return false;
            }
            if (active.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        active.decrementAndGet();
    }

    /** Links or unlinks servers at run time (admin interface): new sessions use the new list. */
    public void servers(List<Server> list) {
        servers.set(List.copyOf(list));
    }

    /**
     * Swaps in a new configuration whose changes take effect at run time
     * ({@code max_connections}, {@code connection_timeout}); the admin interface checks that
     * nothing else changed.
     */
    public void config(ServiceConfig newConfig) {
        if (!newConfig.name().equals(config.name())) {
            throw new IllegalArgumentException("service " + config.name() + " cannot take the config of " + newConfig.name());
        }
        this.config = newConfig;
    }

    /** Reloads the service's user accounts now (admin "reload service"). */
    public void reloadAccounts() {
        authenticator.reload();
    }

    public long totalSessions() {
        return sessionsTotal.get();
    }

    public long statements() {
        return statements.get();
    }

    public List<Filter> filters() {
        return filters;
    }

    public int activeSessions() {
        return active.get();
    }

    @Override
    public AuthOutcome authenticate(String user, InetAddress client, byte[] seed, byte[] reply, String database) {
        AuthOutcome o = authenticator.authenticate(user, client, seed, reply, database);
        if (!o.ok()) {
            authFailures.incrementAndGet();
        }
        return o;
    }

    /** Logins this service refused (wrong user, password, host or database). */
    public long authFailures() {
        return authFailures.get();
    }

    @Override
    public String serverVersion() {
        String v = version;
        if (v == null) {
            v = authenticator.serverVersion();
        }
        return v == null || v.isEmpty() ? DEFAULT_VERSION : v;
    }

    @Override
    public String accountPlugin(String user, java.net.InetAddress client) {
        return authenticator.accountPlugin(user, client);
    }

    @Override
    public AuthOutcome authenticateEd25519(String user, java.net.InetAddress client, byte[] nonce, byte[] signature,
            String database) {
        return authenticator.authenticateEd25519(user, client, nonce, signature, database);
    }

    @Override
    public AuthOutcome authenticateClear(String user, java.net.InetAddress client, byte[] password, String database) {
        return authenticator.authenticateClear(user, client, password, database);
    }

    @Override
    public io.loomscale.protocol.ErrPacket checkDatabase(AuthOutcome login, String db) {
        return login == null ? null : authenticator.checkDatabase(login.account(), db);
    }

    @Override
    public long serverCapabilities() {
        long caps = Capabilities.PROXY_SERVER;
        long b = backendCaps;
        if (b != -1L) {
            // What the backends lack cannot be offered; the proxy's own essentials stay.
            caps &= b | Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH;
        }
        return caps;
    }

    @Override
    public Downstream newDownstream(SessionContext ctx) throws IOException {
        List<FilterSession> fs = new ArrayList<>(filters.size());
        for (Filter f : filters) {
            if (!f.isPassThrough()) {
                fs.add(f.newSession(ctx));
            }
        }
        RouterSession rs = router.newSession(ctx);
        if (backendCaps == -1L) {
            for (BackendConnection b : rs.backends()) {
                learn(b.handshake().serverVersion(), b.handshake().capabilities());
                break;
            }
        }
        sessionsTotal.incrementAndGet();
        return FilterChain.of(fs, rs);
    }

    @Override
    public EventLoop nextLoop() {
        return loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
    }

    @Override
    public SessionRegistry registry() {
        return registry;
    }

    @Override
    public io.loomscale.session.PersistentPool pool() {
        return pool;
    }

    @Override
    public Duration idleTimeout() {
        return config.connectionTimeout();
    }

    @Override
    public Duration backendTimeout() {
        return Duration.ofSeconds(5);
    }

    @Override
    public void countStatement() {
        statements.incrementAndGet();
    }

    public Map<String, Object> diagnostics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("router", config.router());
        m.put("sessions", active.get());
        m.put("total_sessions", sessionsTotal.get());
        m.put("statements", statements.get());
        m.put("router_diagnostics", router.diagnostics());
        return m;
    }
}
