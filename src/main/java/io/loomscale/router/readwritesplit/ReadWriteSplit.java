package io.loomscale.router.readwritesplit;

import io.loomscale.protocol.Gtid;
import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.router.Router;
import io.loomscale.router.RouterSession;
import io.loomscale.session.SessionContext;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * readwritesplit: one client session uses a connection to the primary and connections to
 * replicas, and each statement goes where its meaning allows (see {@link RwsSession}). This
 * object is the service-wide part: settings, server choice, the counters of where statements
 * went, and the latest GTID written through the service (for {@code causal_reads = global}).
 * Thread-safe.
 */
final class ReadWriteSplit implements Router {
    /** Where a statement went: per service and per server. */
    static final class Counters {
        final LongAdder master = new LongAdder();
        final LongAdder slave = new LongAdder();
        final LongAdder all = new LongAdder();

        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("route_master", master.sum());
            m.put("route_slave", slave.sum());
            m.put("route_all", all.sum());
            return m;
        }
    }

    private final String service;
    private final RwsConfig config;
    private final Supplier<List<Server>> servers;
    private final AtomicLong sessions = new AtomicLong();
    private final Counters total = new Counters();
    private final Map<String, Counters> perServer = new ConcurrentHashMap<>();
    /** This service's connections per server (LEAST_ROUTER_CONNECTIONS). */
    private final Map<String, AtomicInteger> routerConnections = new ConcurrentHashMap<>();
    private final AtomicLong causalWaits = new AtomicLong();
    private final AtomicLong causalTimeouts = new AtomicLong();
    private final AtomicLong retriedReads = new AtomicLong();
    private final AtomicLong replayedTransactions = new AtomicLong();
    private final AtomicLong abortedReplays = new AtomicLong();
    private volatile Gtid latestGtid = Gtid.EMPTY;

    ReadWriteSplit(String service, RwsConfig config, Supplier<List<Server>> servers) {
        this.service = service;
        this.config = config;
        this.servers = servers;
    }

    String service() {
        return service;
    }

    RwsConfig config() {
        return config;
    }

    List<Server> servers() {
        return servers.get();
    }

    @Override
    public RouterSession newSession(SessionContext ctx) throws IOException {
        RwsSession s = new RwsSession(this, ctx);
        s.start();
        sessions.incrementAndGet();
        return s;
    }

    /** The server that is primary now and takes new connections (not draining), or null. */
    Server currentMaster() {
        for (Server s : servers.get()) {
            ServerState st = s.state();
            if (st.isMaster() && st.isRunning() && !st.inMaintenance() && !st.isDraining()) {
                return s;
            }
        }
        return null;
    }

    /** Whether {@code s} may serve reads as a replica now ({@code maxLag} < 0: no lag limit). */
    static boolean usableSlave(Server s, long maxLag) {
        ServerState st = s.state();
        if (!st.isSlave() || !st.isRunning() || st.inMaintenance() || st.isDraining() || st.isMaster()) {
            return false;
        }
        return maxLag < 0 || (st.lagSeconds() >= 0 && st.lagSeconds() <= maxLag);
    }

    /** The score of a replica under {@code slave_selection_criteria}: lower is better. */
    double score(Server s) {
        double w = Math.max(s.weight(), 1);
        return switch (config.criteria()) {
            case LEAST_CURRENT_OPERATIONS -> (s.load().operations() + 1.0) / w;
            case LEAST_GLOBAL_CONNECTIONS -> (s.connections() + 1.0) / w;
            case LEAST_ROUTER_CONNECTIONS -> (routerConnections(s).get() + 1.0) / w;
            case LEAST_BEHIND_MASTER -> Math.max(s.state().lagSeconds(), 0);
            // Response time, scaled by the work already queued there.
            case ADAPTIVE_ROUTING -> (s.load().averageNanos() + 1.0) * (s.load().operations() + 1.0) / w;
        };
    }

    AtomicInteger routerConnections(Server s) {
        return routerConnections.computeIfAbsent(s.name(), k -> new AtomicInteger());
    }

    /** The counters of statements routed to {@code s}; a session keeps them with its connection. */
    Counters countersOf(Server s) {
        return perServer.computeIfAbsent(s.name(), k -> new Counters());
    }

    /** A statement went to {@code b} ({@code target}: TO_MASTER, TO_SLAVE or TO_ALL). */
    void routed(RwsBackend b, int target) {
        Counters c = b.counters;
        switch (target) {
            case RwsSession.TO_MASTER -> {
                total.master.increment();
                c.master.increment();
            }
            case RwsSession.TO_SLAVE -> {
                total.slave.increment();
                c.slave.increment();
            }
            default -> c.all.increment();
        }
    }

    void routedToAll() {
        total.all.increment();
    }

    void causalWait(boolean timedOut) {
        causalWaits.incrementAndGet();
        if (timedOut) {
            causalTimeouts.incrementAndGet();
        }
    }

    void abortedReplay() {
        abortedReplays.incrementAndGet();
    }

    void replayedTransaction() {
        replayedTransactions.incrementAndGet();
    }

    void retriedRead() {
        retriedReads.incrementAndGet();
    }

    /** The latest GTID written through this service ({@code causal_reads = global}). */
    Gtid latestGtid() {
        return latestGtid;
    }

    void wrote(Gtid g) {
        while (true) {
            Gtid cur = latestGtid;
            Gtid merged = cur.merge(g);
            if (merged.equals(cur)) {
                return;
            }
            synchronized (this) {
                if (latestGtid == cur) {
                    latestGtid = merged;
                    return;
                }
            }
        }
    }

    /** Counters of where statements went, in total and per server. */
    Map<String, Object> counters() {
        Map<String, Object> m = total.describe();
        Map<String, Object> ps = new LinkedHashMap<>();
        for (Server s : servers.get()) {
            Counters c = perServer.get(s.name());
            ps.put(s.name(), c == null ? new Counters().describe() : c.describe());
        }
        m.put("servers", ps);
        return m;
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> m = new LinkedHashMap<>(config.describe());
        m.put("sessions_created", sessions.get());
        m.putAll(counters());
        m.put("causal_reads_waits", causalWaits.get());
        m.put("causal_reads_timeouts", causalTimeouts.get());
        m.put("retried_reads", retriedReads.get());
        m.put("replayed_transactions", replayedTransactions.get());
        m.put("aborted_replays", abortedReplays.get());
        m.put("latest_gtid", latestGtid.toString());
        return m;
    }
}
