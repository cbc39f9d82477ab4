package io.loomscale.router.readwritesplit;

import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.router.readwritesplit.RwsConfig.FailureMode;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.BackendException;
import io.loomscale.session.SessionContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.loomscale.router.readwritesplit.RwsSession.log;

/**
 * The backend connections of one readwritesplit session, and the choice among them: opening a
 * connection (and bringing it to the session's state by replaying the session history), topping
 * up replicas to {@code max_slave_connections}, finding and dropping connections, and picking the
 * primary or the best replica for a statement. Part of {@link RwsSession}, split out for size.
 *
 * <p>Runs where the session does: on its virtual thread under {@link RwsSession#lock}, or, for
 * {@link #usableMaster} and {@link #openSlaveForRead} (which never open or close a connection),
 * on the selector thread in {@link RwsFastPath} under the same lock. {@link #start} runs before
 * the session is shared; {@link #view} may be read from any thread.
 *
 * <p>Owns the list of open connections (primary first), its immutable {@link #view}, the time of
 * the last top-up and where ties between replicas start. Shares with the session: it sets the
 * session's {@code master} and {@code masterLost}, clears its {@code pending} and {@code last}
 * when it drops their backend, and reads its session history and transaction target. Logs under
 * the session's logger.
 */
final class SessionBackends {
    private final RwsSession session;
    private final ReadWriteSplit router;
    private final RwsConfig cfg;
    private final SessionContext ctx;

    private final List<RwsBackend> open = new ArrayList<>();
    private volatile List<BackendConnection> view = List.of();
    private long lastTopUp;
    /** Where ties between equally good replicas start; random, so that short sessions do not all pick the first. */
    private int rotation = java.util.concurrent.ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE);

    SessionBackends(RwsSession session) {
        this.session = session;
        this.router = session.router;
        this.cfg = session.cfg;
        this.ctx = session.ctx;
    }

    /** The session's open connections, primary first: the live list, which only this class changes. */
    List<RwsBackend> all() {
        return open;
    }

    /**
     * What a command for every backend goes to: the open connections, or, when none is open
     * ({@code lazy_connect}), one opened now (the primary, else a replica); empty when no server
     * can be reached.
     */
    List<RwsBackend> everyOpen() {
        List<RwsBackend> targets = new ArrayList<>(open.size());
        for (RwsBackend b : open) {
            if (!b.isClosed()) {
                targets.add(b);
            }
        }
        if (targets.isEmpty()) {
            RwsBackend b = master();
            if (b == null) {
                b = slave(cfg.maxSlaveReplicationLag());
            }
            if (b != null) {
                targets.add(b);
            }
        }
        return targets;
    }

    /** Of the backends a command goes to, the one whose reply the client gets: the primary if among them. */
    RwsBackend firstOf(List<RwsBackend> targets) {
        return targets.contains(session.master) ? session.master : targets.get(0);
    }

    /** An immutable copy of the connections, for {@link RwsSession#backends()}. */
    List<BackendConnection> view() {
        return view;
    }

    /** Opens the primary and the replicas (unless {@code lazy_connect}); fails when the session cannot work. */
    void start() throws IOException {
        if (cfg.lazyConnect()) {
            return;
        }
        Server m = router.currentMaster();
        if (m != null) {
            session.master = open(m);
        }
        if (session.master == null && cfg.masterFailureMode() == FailureMode.FAIL_INSTANTLY && !cfg.masterReconnection()) {
            session.close();
            throw new BackendException("no primary for service '" + router.service() + "'", new ErrPacket(
                    ErrPacket.ER_UNKNOWN_ERROR, "HY000", "LoomScale: no primary server is available for service '"
                    + router.service() + "' (master_failure_mode=fail_instantly)"));
        }
        topUpSlaves(cfg.maxSlaveReplicationLag(), Integer.MAX_VALUE);
        if (open.isEmpty()) {
            throw new BackendException("no server of service '" + router.service() + "' is available",
                    new ErrPacket(ErrPacket.ER_UNKNOWN_ERROR, "HY000", "LoomScale: no server is available for service '"
                            + router.service() + "'"));
        }
    }

    /** Connects to {@code s} and replays the session history; null (logged) if that fails. */
    RwsBackend open(Server s) {
        if (!open.isEmpty() && !session.history.isOn()) {
            return null; // the session state could not be reproduced there
        }
        BackendConnection c;
        try {
            c = ctx.connect(s);
        } catch (IOException e) {
            log.warn("session {}: cannot connect to {}: {}", ctx.id(), s.name(), e.getMessage());
            return null;
        }
        RwsBackend b = new RwsBackend(c, router.countersOf(s));
        router.routerConnections(s).incrementAndGet();
        if (!replay(b)) {
            router.routerConnections(s).decrementAndGet();
            c.close();
            return null;
        }
        if (s.state().isMaster()) {
            open.add(0, b);
        } else {
            open.add(b);
        }
        refreshView();
        return b;
    }

    /** Brings a new connection to the session's state; false if it answered anything differently. */
    private boolean replay(RwsBackend b) {
        List<SessionHistory.Entry> entries = session.history.entries();
        if (entries.isEmpty()) {
            return true;
        }
        try {
            for (SessionHistory.Entry e : entries) {
                b.conn.send(e.packet(), ReplyTracker.kindOf(e.packet()) | ReplyTracker.CAPTURE);
            }
            for (SessionHistory.Entry e : entries) {
                List<byte[]> r = ctx.collectReply(b.conn);
                boolean ok = !r.isEmpty() && Packets.firstByte(r.get(0)) != Packets.ERR;
                if (ok != e.ok()) {
                    log.warn("session {}: {} answered a replayed session command differently than before; not used",
                            ctx.id(), b);
                    return false;
                }
                if (e.statementId() != 0) {
                    b.statementIds.put(e.statementId(), Wire.int4(r.get(0), Packets.HEADER + 1));
                }
            }
            return true;
        } catch (IOException e) {
            log.warn("session {}: replaying the session history on {} failed: {}", ctx.id(), b, e.getMessage());
            return false;
        }
    }

    /** Opens replicas up to {@code max_slave_connections} (and at most {@code atMost} now), best first. */
    private void topUpSlaves(long maxLag, int atMost) {
        lastTopUp = System.nanoTime();
        List<Server> candidates = new ArrayList<>();
        int usable = 0;
        for (Server s : router.servers()) {
            if (ReadWriteSplit.usableSlave(s, maxLag)) {
                usable++;
                if (find(s) == null) {
                    candidates.add(s);
                }
            }
        }
        int want = Math.min(atMost, cfg.slaveLimit(usable) - openSlaves());
        candidates.sort((a, b) -> Double.compare(router.score(a), router.score(b)));
        for (int i = 0; i < candidates.size() && want > 0; i++) {
            if (open(candidates.get(i)) != null) {
                want--;
            }
        }
    }

    private int openSlaves() {
        int n = 0;
        for (RwsBackend b : open) {
            if (b != session.master) {
                n++;
            }
        }
        return n;
    }

    RwsBackend find(Server s) {
        for (RwsBackend b : open) {
            if (b.server == s) {
                return b;
            }
        }
        return null;
    }

    RwsBackend find(BackendConnection c) {
        for (RwsBackend b : open) {
            if (b.conn == c) {
                return b;
            }
        }
        return null;
    }

    private void refreshView() {
        List<BackendConnection> v = new ArrayList<>(open.size());
        for (RwsBackend b : open) {
            v.add(b.conn);
        }
        view = List.copyOf(v);
    }

    /** Takes {@code b} out of the session and closes it. */
    void drop(RwsBackend b) {
        if (open.remove(b)) {
            router.routerConnections(b.server).decrementAndGet();
            refreshView();
        }
        if (b == session.master) {
            session.master = null;
            session.masterLost = true;
        }
        if (b == session.pending) {
            session.pending = null;
        }
        if (b == session.last) {
            session.last = null;
        }
        b.conn.close();
    }

    /** {@link RwsSession#close}: closes every connection (the caller holds the lock). */
    void closeAll() {
        for (RwsBackend b : new ArrayList<>(open)) {
            router.routerConnections(b.server).decrementAndGet();
            b.conn.close();
        }
        open.clear();
        view = List.of();
    }

    /**
     * The primary connection, opened now if needed; null when there is no primary for this
     * session (none now, or its connection was lost: MaxScale 2.1 does not reconnect).
     */
    RwsBackend master() {
        if (session.master != null) {
            ServerState st = session.master.server.state();
            if (!session.master.isClosed() && st.isMaster() && st.isRunning() && !st.inMaintenance()) {
                return session.master;
            }
            log.warn("session {}: {} is no longer a usable primary ({})", ctx.id(), session.master.server.name(), st.describe());
            drop(session.master);
            if (!cfg.masterReconnection()) {
                return null;
            }
        }
        if (session.masterLost && !cfg.masterReconnection()) {
            return null;
        }
        Server m = router.currentMaster();
        if (m == null) {
            return null;
        }
        RwsBackend b = find(m);
        if (b == null) {
            b = open(m);
        }
        session.master = b;
        if (b != null && session.masterLost) {
            session.masterLost = false;
            log.info("session {}: reconnected to the primary {} (master_reconnection)", ctx.id(), m.name());
        }
        return b;
    }

    /**
     * The primary connection, waiting up to {@code deadline} ({@link System#nanoTime()}) for a
     * primary to appear (a failover or switchover under way); null if none did.
     */
    RwsBackend awaitMaster(long deadline) {
        while (true) {
            RwsBackend m = master();
            if (m != null) {
                return m;
            }
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /**
     * {@link #master()}; with {@code delayed_retry}, when there is no primary, the statement is
     * held for up to {@code delayed_retry_timeout} until there is one.
     */
    RwsBackend masterOrWait() {
        RwsBackend m = master();
        if (m != null || !cfg.delayedRetry()) {
            return m;
        }
        log.info("session {}: no primary; holding the statement for up to {} s (delayed_retry)", ctx.id(),
                cfg.delayedRetryTimeout().toSeconds());
        m = awaitMaster(System.nanoTime() + cfg.delayedRetryTimeout().toNanos());
        if (m != null) {
            log.info("session {}: the primary is {} again; the held statement goes there", ctx.id(), m.server.name());
        }
        return m;
    }

    /**
     * The best replica for a read (by {@code slave_selection_criteria}), opening one when none is
     * open and the history allows it (at most once a second); with {@code master_accept_reads}
     * the primary competes too. Null if no server can take the read as a replica.
     */
    RwsBackend slave(long maxLag) {
        List<RwsBackend> gone = null;
        for (RwsBackend b : open) {
            if (b != session.master && b != session.trxTarget && b.tracker().isIdle()
                    && (b.isClosed() || !b.server.state().isRunning() || b.server.state().inMaintenance())) {
                if (gone == null) {
                    gone = new ArrayList<>();
                }
                gone.add(b);
            }
        }
        if (gone != null) {
            for (RwsBackend b : gone) {
                log.info("session {}: closing {}: server is {}", ctx.id(), b, b.server.state().describe());
                drop(b);
            }
        }
        RwsBackend best = pickOpenSlave(maxLag);
        if (best == null && session.history.isOn() && System.nanoTime() - lastTopUp > TimeUnit.SECONDS.toNanos(1)) {
            // On demand (lazy_connect, or every replica was lost): the best one replica now.
            topUpSlaves(maxLag, 1);
            best = pickOpenSlave(maxLag);
        }
        if (cfg.masterAcceptReads() && best != null && session.master != null && !session.master.isClosed()
                && session.master.server.state().isMaster()
                && router.score(session.master.server) < router.score(best.server)) {
            return session.master;
        }
        return best;
    }

    /** The open replica with the lowest score; ties go round, so one session's reads spread too. */
    private RwsBackend pickOpenSlave(long maxLag) {
        RwsBackend best = null;
        double bestScore = Double.MAX_VALUE;
        int n = open.size();
        int start = n == 0 ? 0 : (rotation++ & Integer.MAX_VALUE) % n;
        for (int k = 0; k < n; k++) {
            RwsBackend b = open.get((start + k) % n);
            if (b != session.master && !b.isClosed() && ReadWriteSplit.usableSlave(b.server, maxLag)) {
                double sc = router.score(b.server);
                if (sc < bestScore) {
                    best = b;
                    bestScore = sc;
                }
            }
        }
        return best;
    }

    /** The primary connection if it is open and its server still the primary; never opens one. */
    RwsBackend usableMaster() {
        RwsBackend m = session.master;
        if (m == null || m.isClosed()) {
            return null;
        }
        ServerState st = m.server.state();
        return st.isMaster() && st.isRunning() && !st.inMaintenance() ? m : null;
    }

    /** An open replica for a read, as {@link #slave} picks it, but without closing or opening connections. */
    RwsBackend openSlaveForRead() {
        RwsBackend best = pickOpenSlave(cfg.maxSlaveReplicationLag());
        if (cfg.masterAcceptReads() && best != null && usableMaster() != null
                && router.score(session.master.server) < router.score(best.server)) {
            return session.master;
        }
        return best;
    }

    /** The session's connection to the service's server {@code name} (opened if needed), or null. */
    RwsBackend named(String name) {
        for (Server s : router.servers()) {
            if (s.name().equalsIgnoreCase(name)) {
                ServerState st = s.state();
                if (!st.isRunning() || st.inMaintenance()) {
                    return null;
                }
                RwsBackend b = find(s);
                return b != null && !b.isClosed() ? b : open(s);
            }
        }
        return null;
    }
}
