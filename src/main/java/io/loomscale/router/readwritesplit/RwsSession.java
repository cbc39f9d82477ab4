package io.loomscale.router.readwritesplit;

import io.loomscale.classifier.Classifier;
import io.loomscale.classifier.QueryType;
import io.loomscale.hint.Hint;
import io.loomscale.hint.HintSession;
import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.OkPacket;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.protocol.ServerStatus;
import io.loomscale.router.RouterSession;
import io.loomscale.router.readwritesplit.RwsConfig.CausalReads;
import io.loomscale.router.readwritesplit.RwsConfig.FailureMode;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.BackendException;
import io.loomscale.session.FastPath;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The routing half of one readwritesplit client session: plain sequential code on the session's
 * virtual thread. For each statement it decides, from the classifier, the transaction state and
 * the hints, where it goes:
 * <ul>
 * <li>session commands ({@code SET}, {@code USE}, user variable assignment, text
 *     {@code PREPARE}, COM_INIT_DB...) to every backend of the session; the client gets the
 *     primary's reply (or the first replica's), a backend that answers differently is dropped,
 *     and the command joins the session history that a later connection replays;</li>
 * <li>reads to a replica (by {@code slave_selection_criteria}), or to the primary when no replica
 *     can take them;</li>
 * <li>writes, anything in a read-write transaction, {@code autocommit=0}, multi-statements,
 *     locking reads, connection-bound functions, reads of the session's temporary tables to the
 *     primary; a {@code START TRANSACTION READ ONLY} transaction to one replica;</li>
 * <li>prepared statements are prepared on every backend and each EXECUTE goes where its SQL
 *     allows, with the statement id translated per backend.</li>
 * </ul>
 * Transaction and autocommit state come from the status flags of each reply (read from the
 * reply tracker once the reply ended), so implicit commits and {@code SET autocommit} are
 * followed. Replies stream to the client from the selector thread as usual: the session waits
 * for a reply only before routing the next statement (normally already over), or when it must
 * compare or capture replies (session commands, prepares).
 */
final class RwsSession implements RouterSession {
    private static final Logger log = LoggerFactory.getLogger(RwsSession.class);

    static final int TO_MASTER = 1;
    static final int TO_SLAVE = 2;
    static final int TO_ALL = 3;
    /** Statements the fast path leaves to the session: they change what the session tracks. */
    static final int NOT_FAST = QueryType.CREATE_TMP_TABLE | QueryType.PREPARE_NAMED | QueryType.DEALLOCATE
            | QueryType.EXECUTE_NAMED | QueryType.MULTI_STATEMENT | QueryType.CALL;

    private static final int ER_UNKNOWN_STMT_HANDLER = 1243;
    private static final int ER_OPTION_PREVENTS_STATEMENT = 1290;

    /** Statement types that must run on the primary. */
    private static final int MASTER_ONLY = QueryType.WRITE | QueryType.LOCKING_READ | QueryType.MASTER_ONLY_FUNCTION
            | QueryType.MULTI_STATEMENT | QueryType.CALL | QueryType.XA;

    /** Held by whoever changes the routing state: the session's virtual thread, or the fast path (tryLock only). */
    final ReentrantLock lock = new ReentrantLock();
    final ReadWriteSplit router;
    final RwsConfig cfg;
    private final SessionContext ctx;

    private final List<RwsBackend> open = new ArrayList<>();
    private volatile List<BackendConnection> view = List.of();
    RwsBackend master;
    /** The session's primary connection failed or the primary changed: no more writes (2.1 has no master_reconnection). */
    private boolean masterLost;

    // Transaction state.
    boolean trxOpen;
    RwsBackend trxTarget;
    boolean autocommit = true;
    boolean lockedToMaster;

    /** The backend whose reply to the last statement may still be streaming, or null. */
    RwsBackend pending;
    /** The backend the last statement went to (continuations and {@code route to last} follow it). */
    RwsBackend last;
    /** A read that may be sent again elsewhere if its backend fails before answering, or null. */
    byte[] retryPacket;
    boolean retryIsExecute;
    /** A write went to the primary and its GTID is wanted (causal reads). */
    boolean gtidWanted;
    private Gtid sessionGtid = Gtid.EMPTY;

    private final SessionHistory history;
    HintSession hintSession = new HintSession();
    final Set<String> tempTables = new HashSet<>();
    final Map<Integer, RwsStatement> statements = new HashMap<>();
    private int nextStatementId = 1;
    int lastPreparedId;
    /** Text PREPARE names to the QueryType flags of their statement. */
    private final Map<String, Integer> textStatements = new HashMap<>();
    private long lastKeepaliveCheck = System.nanoTime();
    private long lastTopUp;
    /** Where ties between equally good replicas start; random, so that short sessions do not all pick the first. */
    private int rotation = java.util.concurrent.ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE);

    RwsSession(ReadWriteSplit router, SessionContext ctx) {
        this.router = router;
        this.cfg = router.config();
        this.ctx = ctx;
        this.history = new SessionHistory(cfg.maxSescmdHistory(), cfg.disableSescmdHistory());
    }

    // ---------------------------------------------------------------- start and backends

    /** Opens the primary and the replicas (unless {@code lazy_connect}); fails when the session cannot work. */
    void start() throws IOException {
        if (cfg.lazyConnect()) {
            return;
        }
        Server m = router.currentMaster();
        if (m != null) {
            master = open(m);
        }
        if (master == null && cfg.masterFailureMode() == FailureMode.FAIL_INSTANTLY) {
            close();
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
    private RwsBackend open(Server s) {
        if (!open.isEmpty() && !history.isOn()) {
            return null; // the session state could not be reproduced there
        }
        BackendConnection c;
        try {
            c = ctx.connect(s);
        } catch (IOException e) {
            log.warn("session {}: cannot connect to {}: {}", ctx.id(), s.name(), e.getMessage());
            return null;
        }
        RwsBackend b = new RwsBackend(c);
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
        List<SessionHistory.Entry> entries = history.entries();
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
            if (b != master) {
                n++;
            }
        }
        return n;
    }

    private RwsBackend find(Server s) {
        for (RwsBackend b : open) {
            if (b.server == s) {
                return b;
            }
        }
        return null;
    }

    private RwsBackend find(BackendConnection c) {
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
    private void drop(RwsBackend b) {
        if (open.remove(b)) {
            router.routerConnections(b.server).decrementAndGet();
            refreshView();
        }
        if (b == master) {
            master = null;
            masterLost = true;
        }
        if (b == pending) {
            pending = null;
        }
        if (b == last) {
            last = null;
        }
        b.conn.close();
    }

    /**
     * The primary connection, opened now if needed; null when there is no primary for this
     * session (none now, or its connection was lost: MaxScale 2.1 does not reconnect).
     */
    private RwsBackend master() {
        if (master != null) {
            ServerState st = master.server.state();
            if (!master.isClosed() && st.isMaster() && st.isRunning() && !st.inMaintenance()) {
                return master;
            }
            log.warn("session {}: {} is no longer a usable primary ({})", ctx.id(), master.server.name(), st.describe());
            drop(master);
            return null;
        }
        if (masterLost) {
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
        master = b;
        return b;
    }

    /**
     * The best replica for a read (by {@code slave_selection_criteria}), opening one when none is
     * open and the history allows it (at most once a second); with {@code master_accept_reads}
     * the primary competes too. Null if no server can take the read as a replica.
     */
    private RwsBackend slave(long maxLag) {
        List<RwsBackend> gone = null;
        for (RwsBackend b : open) {
            if (b != master && b != trxTarget && b.tracker().isIdle()
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
        if (best == null && history.isOn() && System.nanoTime() - lastTopUp > TimeUnit.SECONDS.toNanos(1)) {
            // On demand (lazy_connect, or every replica was lost): the best one replica now.
            topUpSlaves(maxLag, 1);
            best = pickOpenSlave(maxLag);
        }
        if (cfg.masterAcceptReads() && best != null && master != null && !master.isClosed()
                && master.server.state().isMaster() && router.score(master.server) < router.score(best.server)) {
            return master;
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
            if (b != master && !b.isClosed() && ReadWriteSplit.usableSlave(b.server, maxLag)) {
                double sc = router.score(b.server);
                if (sc < bestScore) {
                    best = b;
                    bestScore = sc;
                }
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- routing

    /**
     * A read-only transaction, a session command, a prepare: whatever the fast path leaves to the
     * session. The session's virtual thread holds {@link #lock} while it routes; the selector
     * thread's {@link RwsFastPath} only tries it, so neither waits for the other.
     */
    @Override
    public FastPath fastPath() {
        return cfg.causalReads() == CausalReads.NONE ? new RwsFastPath(this) : null;
    }

    @Override
    public void route(Statement st) throws IOException {
        lock.lock();
        try {
            routeLocked(st);
        } finally {
            lock.unlock();
        }
    }

    private void routeLocked(Statement st) throws IOException {
        if (st.isContinuation()) {
            // More bytes of the last command (LOAD DATA LOCAL contents, a split packet).
            if (last != null && !last.isClosed()) {
                last.conn.endpoint().sendContinuation(st.packet());
            }
            return;
        }
        settle();
        keepalive(false);
        retryPacket = null;
        switch (st.command()) {
            case Commands.COM_QUERY -> query(st);
            case Commands.COM_STMT_PREPARE -> prepare(st);
            case Commands.COM_STMT_EXECUTE -> execute(st.packet(), false);
            case Commands.COM_STMT_BULK_EXECUTE -> bulkExecute(st);
            case Commands.COM_STMT_FETCH -> fetch(st);
            case Commands.COM_STMT_SEND_LONG_DATA, Commands.COM_STMT_CLOSE -> toStatementBackends(st);
            case Commands.COM_STMT_RESET -> resetStatement(st);
            case Commands.COM_INIT_DB, Commands.COM_SET_OPTION -> sessionCommand(st.packet(), true);
            case Commands.COM_RESET_CONNECTION -> resetConnection(st);
            case Commands.COM_PING, Commands.COM_STATISTICS -> anyBackend(st);
            case Commands.COM_FIELD_LIST -> {
                if (!tempTables.isEmpty() || trxOpen || !autocommit) {
                    toMaster(st.packet(), QueryType.READ);
                } else {
                    toSlave(st.packet(), cfg.maxSlaveReplicationLag(), false);
                }
            }
            default -> toMaster(st.packet(), QueryType.WRITE);
        }
    }

    private void query(Statement st) throws IOException {
        CharSequence sql = st.sqlView();
        List<Hint> hints = hintSession.process(sql);
        if (!st.hints().isEmpty()) {
            List<Hint> all = new ArrayList<>(st.hints()); // a filter's hints (namedserverfilter) come first
            all.addAll(hints);
            hints = all;
        }
        int type = Classifier.classify(sql);
        if ((type & QueryType.CREATE_TMP_TABLE) != 0) {
            String t = Classifier.createdTemporaryTable(sql);
            if (t != null) {
                tempTables.add(t);
            }
        } else if (!tempTables.isEmpty() && (type & QueryType.WRITE) != 0) {
            for (String t : Classifier.droppedTables(sql)) {
                tempTables.remove(t);
            }
        }
        if ((type & (QueryType.PREPARE_NAMED | QueryType.DEALLOCATE | QueryType.EXECUTE_NAMED)) != 0) {
            type = textPrepared(st, type);
        }
        byte[] packet = st.packet();
        if (isSessionCommand(type)) {
            sessionCommand(packet, true);
            return;
        }
        if ((type & QueryType.BEGIN_TRX) != 0 && !trxOpen) {
            beginTransaction(packet, type);
            return;
        }
        if (trxOpen) {
            toTransaction(packet, type);
            return;
        }
        if (!hints.isEmpty() && routeByHint(packet, type, hints)) {
            return;
        }
        if ((type & QueryType.MULTI_STATEMENT) != 0 && cfg.strictMultiStmt()
                || (type & QueryType.CALL) != 0 && cfg.strictSpCalls()) {
            if (!lockedToMaster) {
                log.info("session {}: multi-statement or stored procedure call: the rest of the session goes to the primary",
                        ctx.id());
            }
            lockedToMaster = true;
        }
        if (needsMaster(type) || !tempTables.isEmpty() && Classifier.referencesAny(sql, tempTables)) {
            toMaster(packet, type);
            return;
        }
        toSlave(packet, cfg.maxSlaveReplicationLag(), false);
    }

    /**
     * Routing hints ({@code -- maxscale route to ...}), outside transactions and for statements
     * that are not session commands: the first routing hint wins, as in MaxScale. Returns false
     * when no hint applies (an unknown or unusable server, no last server), and the statement
     * is routed as usual.
     */
    private boolean routeByHint(byte[] packet, int type, List<Hint> hints) throws IOException {
        long lag = cfg.maxSlaveReplicationLag();
        Hint route = null;
        for (Hint h : hints) {
            if (h.type() == Hint.Type.PARAMETER) {
                if ("max_slave_replication_lag".equalsIgnoreCase(h.name())) {
                    try {
                        lag = Long.parseLong(h.value().trim());
                    } catch (NumberFormatException ignored) {
                        // a malformed hint is ignored, like MaxScale does
                    }
                }
            } else if (route == null) {
                route = h;
            }
        }
        if (route == null) {
            if (lag != cfg.maxSlaveReplicationLag() && isPlainRead(type)) {
                toSlave(packet, lag, false);
                return true;
            }
            return false;
        }
        switch (route.type()) {
            case ROUTE_TO_MASTER -> {
                toMaster(packet, type);
                return true;
            }
            case ROUTE_TO_SLAVE -> {
                RwsBackend s = slave(lag);
                if (s == null) {
                    return false;
                }
                sendHinted(s, packet, type);
                return true;
            }
            case ROUTE_TO_NAMED_SERVER -> {
                RwsBackend b = named(route.server());
                if (b == null) {
                    log.debug("session {}: hint names server '{}', which this session cannot use", ctx.id(), route.server());
                    return false;
                }
                sendHinted(b, packet, type);
                return true;
            }
            case ROUTE_TO_LAST_USED -> {
                if (last == null || last.isClosed()) {
                    return false;
                }
                sendHinted(last, packet, type);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void sendHinted(RwsBackend b, byte[] packet, int type) throws IOException {
        send(b, packet, b == master ? TO_MASTER : TO_SLAVE);
        if (isPlainRead(type) && cfg.retryFailedReads()) {
            retryPacket = packet; // a hinted read whose server fails goes wherever a read may
            retryIsExecute = false;
        }
    }

    /** The session's connection to the service's server {@code name} (opened if needed), or null. */
    private RwsBackend named(String name) {
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

    private boolean isPlainRead(int type) {
        return (type & QueryType.READ) != 0 && (type & MASTER_ONLY) == 0 && autocommit && !lockedToMaster;
    }

    /** Outside a transaction: whether a statement of this type must run on the primary (temporary tables aside). */
    boolean needsMaster(int type) {
        return !autocommit || lockedToMaster || (type & MASTER_ONLY) != 0 || (type & QueryType.READ) == 0
                || cfg.variablesOnMasterOnly() && (type & (QueryType.USERVAR_READ | QueryType.SYSVAR_READ)) != 0;
    }

    /** Session state changes that every backend must see (and no write that only the primary may run). */
    static boolean isSessionCommand(int type) {
        return (type & (QueryType.SESSION_WRITE | QueryType.USERVAR_WRITE)) != 0 && (type & QueryType.WRITE) == 0;
    }

    /** Text PREPARE/EXECUTE/DEALLOCATE: remembers what each name runs; EXECUTE takes that statement's type. */
    private int textPrepared(Statement st, int type) {
        String sql = st.sql();
        if ((type & QueryType.PREPARE_NAMED) != 0) {
            TextPrepare.Prepare p = TextPrepare.prepare(sql);
            if (p != null) {
                textStatements.put(p.name(), p.text() == null ? QueryType.WRITE : Classifier.classify(p.text()));
            }
            return type;
        }
        if ((type & QueryType.DEALLOCATE) != 0) {
            String n = TextPrepare.deallocated(sql);
            if (n != null) {
                textStatements.remove(n);
            }
            return type;
        }
        String n = TextPrepare.executed(sql);
        Integer t = n == null ? null : textStatements.get(n);
        if (n == null) {
            String text = TextPrepare.immediate(sql);
            t = text == null ? null : Classifier.classify(text);
        }
        // Unknown name or text: the primary. The USING variables are on every backend, and so is
        // the prepared statement, so a prepared session command runs everywhere like the text would.
        return t == null ? QueryType.WRITE : t | (type & QueryType.USERVAR_READ);
    }

    private void beginTransaction(byte[] packet, int type) throws IOException {
        RwsBackend target;
        if ((type & QueryType.READ_ONLY_TRX) != 0 && autocommit && !lockedToMaster) {
            target = slave(cfg.maxSlaveReplicationLag());
            if (target == null) {
                target = master();
            }
        } else {
            target = master();
        }
        if (target == null) {
            noMaster(packet);
            return;
        }
        trxOpen = true;
        trxTarget = target;
        send(target, packet, target == master ? TO_MASTER : TO_SLAVE);
    }

    /** Inside a transaction everything goes to the transaction's server. */
    private void toTransaction(byte[] packet, int type) throws IOException {
        RwsBackend t = trxTarget;
        if (t == null || t.isClosed()) {
            t = master();
            if (t == null) {
                noMaster(packet);
                return;
            }
            trxTarget = t;
        }
        if ((type & QueryType.COMMIT) != 0 && t == master && cfg.causalReads() == CausalReads.GLOBAL) {
            writeWithGtid(t, packet);
            return;
        }
        send(t, packet, t == master ? TO_MASTER : TO_SLAVE);
        if ((type & QueryType.WRITE) != 0 && t == master) {
            gtidWanted = cfg.causalReads() != CausalReads.NONE;
        }
    }

    private void toMaster(byte[] packet, int type) throws IOException {
        RwsBackend m = master();
        if (m == null) {
            noMaster(packet);
            return;
        }
        boolean read = (type & MASTER_ONLY) == 0 && (type & QueryType.READ) != 0 && autocommit && !trxOpen;
        if ((type & (QueryType.WRITE | QueryType.COMMIT)) != 0 && cfg.causalReads() == CausalReads.GLOBAL && autocommit) {
            writeWithGtid(m, packet);
            return;
        }
        send(m, packet, TO_MASTER);
        if (read) {
            retryPacket = packet;
            retryIsExecute = false;
        }
        if ((type & (QueryType.WRITE | QueryType.COMMIT)) != 0 && cfg.causalReads() != CausalReads.NONE) {
            gtidWanted = true;
            if (autocommit) {
                settle(); // learn the GTID now, so another session's read (global mode) can wait for it
            }
        }
    }

    /** A read for a replica; the primary when no replica can take it. */
    private void toSlave(byte[] packet, long maxLag, boolean execute) throws IOException {
        RwsBackend s = slave(maxLag);
        if (s != null && cfg.causalReads() != CausalReads.NONE && !caughtUp(s)) {
            s = null; // timed out waiting for the replica: the primary has the data
        }
        if (s == null) {
            s = master();
            if (s == null) {
                noServer(packet);
                return;
            }
        }
        send(s, packet, s == master ? TO_MASTER : TO_SLAVE);
        if (cfg.retryFailedReads()) {
            retryPacket = execute ? packet.clone() : packet;
            retryIsExecute = execute;
        }
    }

    /**
     * Causal reads: waits until replica {@code s} applied the GTID the read must see (the
     * session's last write, or the service's with {@code global}); false on timeout.
     */
    private boolean caughtUp(RwsBackend s) throws IOException {
        Gtid want = cfg.causalReads() == CausalReads.GLOBAL ? router.latestGtid() : sessionGtid;
        if (want.isEmpty() || want.equals(s.reached)) {
            return true;
        }
        long timeout = Math.max(1, cfg.causalReadsTimeout().toSeconds());
        String r;
        try {
            r = internalQuery(s, "SELECT MASTER_GTID_WAIT(" + Wire.literal(want.toString()) + ", " + timeout + ")");
        } catch (IOException e) {
            if (!survive(s, e)) {
                throw new BackendException("replica " + s.server.name() + " failed", e);
            }
            return false;
        }
        boolean ok = "0".equals(r);
        log.debug("session {}: MASTER_GTID_WAIT('{}') on {} returned {}", ctx.id(), want, s, r);
        router.causalWait(!ok);
        if (ok) {
            s.reached = want;
        } else {
            log.debug("session {}: {} did not reach GTID {} within {} s; reading from the primary", ctx.id(), s, want, timeout);
        }
        return ok;
    }

    /**
     * {@code causal_reads = global}: the GTID of a write must be known to the service before the
     * client hears the write succeeded, or another session's read could miss it. So the reply is
     * held: the write and a {@code SELECT @@last_gtid} go to the primary together, and the write's
     * reply reaches the client after the GTID is recorded. (LOAD DATA LOCAL, which needs the
     * client in the middle of its reply, goes the usual way.)
     */
    private void writeWithGtid(RwsBackend m, byte[] packet) throws IOException {
        if (mentionsLocal(packet)) {
            send(m, packet, TO_MASTER);
            gtidWanted = true;
            settle();
            return;
        }
        try {
            m.conn.send(packet, ReplyTracker.kindOf(packet) | ReplyTracker.CAPTURE);
            m.conn.send(Wire.query("SELECT @@last_gtid"), ReplyTracker.RESULT | ReplyTracker.CAPTURE);
            m.lastUsed = System.nanoTime();
            router.routed(m.server, TO_MASTER);
            last = m;
            pending = null;
            List<byte[]> reply = ctx.collectReply(m.conn);
            String g = Wire.firstValue(ctx.collectReply(m.conn));
            if (!reply.isEmpty() && Packets.firstByte(reply.get(0)) != Packets.ERR) {
                Gtid gtid = Gtid.parse(g);
                if (!gtid.isEmpty()) {
                    sessionGtid = gtid;
                    router.wrote(gtid);
                }
            }
            int total = 0;
            for (byte[] p : reply) {
                total += p.length;
            }
            byte[] out = new byte[total];
            int pos = 0;
            for (byte[] p : reply) {
                System.arraycopy(p, 0, out, pos, p.length);
                pos += p.length;
            }
            observe(m);
            ctx.sendToClient(out);
        } catch (IOException e) {
            failed(m, e);
        }
    }

    private static boolean mentionsLocal(byte[] packet) {
        for (int i = Packets.HEADER + 1; i + 5 <= packet.length; i++) {
            if ((packet[i] | 0x20) == 'l' && (packet[i + 1] | 0x20) == 'o' && (packet[i + 2] | 0x20) == 'c'
                    && (packet[i + 3] | 0x20) == 'a' && (packet[i + 4] | 0x20) == 'l') {
                return true;
            }
        }
        return false;
    }

    /** Runs a query of the proxy's own on {@code b}; returns the first value (null if none or an error). */
    private String internalQuery(RwsBackend b, String sql) throws IOException {
        b.conn.send(Wire.query(sql), ReplyTracker.RESULT | ReplyTracker.CAPTURE);
        return Wire.firstValue(ctx.collectReply(b.conn));
    }

    private void send(RwsBackend b, byte[] packet, int target) throws IOException {
        int kind = ReplyTracker.kindOf(packet);
        try {
            b.conn.send(packet, kind == 0 ? 0 : kind | ReplyTracker.FORWARD);
        } catch (IOException e) {
            if (!survive(b, e)) {
                throw new BackendException("backend " + b + " failed: " + e.getMessage(), lostError(b, e));
            }
            if (b != master && (target == TO_SLAVE) && cfg.retryFailedReads()) {
                RwsBackend other = slave(cfg.maxSlaveReplicationLag());
                if (other == null) {
                    other = master();
                }
                if (other != null) {
                    router.retriedRead();
                    send(other, packet, other == master ? TO_MASTER : TO_SLAVE);
                    return;
                }
            }
            ctx.sendToClient(lostError(b, e).encode(1));
            return;
        }
        b.lastUsed = System.nanoTime();
        router.routed(b.server, target);
        last = b;
        pending = kind == 0 ? null : b;
    }

    private static ErrPacket lostError(RwsBackend b, IOException e) {
        return new ErrPacket(ErrPacket.CR_SERVER_LOST, "HY000", "Lost connection to backend server "
                + b.server.name() + ": " + e.getMessage());
    }

    /** No primary for a statement that needs one: {@code master_failure_mode} decides. */
    private void noMaster(byte[] packet) throws IOException {
        String why = masterLost ? "the connection to the primary was lost" : "no primary server is available";
        if (cfg.masterFailureMode() == FailureMode.ERROR_ON_WRITE) {
            ctx.sendToClient(new ErrPacket(ER_OPTION_PREVENTS_STATEMENT, "HY000", "LoomScale: " + why
                    + "; the session is read-only (master_failure_mode=error_on_write)").encode(1));
            return;
        }
        throw new BackendException(why + " (session " + ctx.id() + ")", new ErrPacket(ErrPacket.ER_UNKNOWN_ERROR,
                "HY000", "LoomScale: " + why + " for service '" + router.service() + "'; closing the session (master_failure_mode="
                + cfg.masterFailureMode().name().toLowerCase(java.util.Locale.ROOT) + ")"));
    }

    private void noServer(byte[] packet) throws IOException {
        if (masterLost || master == null && router.currentMaster() == null) {
            noMaster(packet);
            return;
        }
        throw new BackendException("no server can take the statement (session " + ctx.id() + ")", new ErrPacket(
                ErrPacket.ER_UNKNOWN_ERROR, "HY000", "LoomScale: no server is available for service '" + router.service() + "'"));
    }

    // ---------------------------------------------------------------- session commands

    /**
     * Sends a session command to every backend of the session. The client gets the reply of the
     * primary (or of the first replica); every reply is awaited and a backend whose reply differs
     * (an error where the first succeeded, or the other way round) is dropped from the session.
     */
    private void sessionCommand(byte[] packet, boolean record) throws IOException {
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
            if (b == null) {
                noServer(packet);
                return;
            }
            targets.add(b);
        }
        RwsBackend first = targets.contains(master) ? master : targets.get(0);
        int kind = ReplyTracker.kindOf(packet);
        List<RwsBackend> sent = new ArrayList<>(targets.size());
        for (RwsBackend b : targets) {
            try {
                b.conn.send(packet, b == first ? kind | ReplyTracker.FORWARD : kind);
                b.lastUsed = System.nanoTime();
                router.routed(b.server, TO_ALL);
                sent.add(b);
            } catch (IOException e) {
                if (b == first || !survive(b, e)) {
                    throw new BackendException("backend " + b + " failed: " + e.getMessage(), lostError(b, e));
                }
            }
        }
        router.routedToAll();
        last = first;
        pending = null;
        try {
            first.conn.endpoint().awaitReplies(0);
        } catch (IOException e) {
            failed(first, e);
            return;
        }
        boolean ok = first.tracker().lastHeader() != Packets.ERR;
        for (RwsBackend b : sent) {
            if (b == first) {
                continue;
            }
            try {
                b.conn.endpoint().awaitReplies(0);
            } catch (IOException e) {
                survive(b, e);
                continue;
            }
            if ((b.tracker().lastHeader() != Packets.ERR) != ok) {
                log.warn("session {}: {} answered a session command {} while {} {}; dropping it from the session",
                        ctx.id(), b, ok ? "with an error" : "successfully", first, ok ? "succeeded" : "failed");
                drop(b);
            }
        }
        observe(first);
        if (trxOpen && trxTarget != first && sent.contains(trxTarget) && open.contains(trxTarget)) {
            observe(trxTarget); // SET autocommit=1 inside a read-only transaction ends it on its replica
        }
        if (record && history.addCommand(packet, ok)) {
            log.info("session {}: more than max_sescmd_history={} session commands: history off, no new backend"
                    + " connections for this session", ctx.id(), cfg.maxSescmdHistory());
        }
    }

    private void resetConnection(Statement st) throws IOException {
        sessionCommand(st.packet(), false);
        sessionReset();
    }

    @Override
    public void sessionReset() {
        lock.lock();
        try {
            resetState();
        } finally {
            lock.unlock();
        }
    }

    private void resetState() {
        history.clear(cfg.disableSescmdHistory());
        statements.clear();
        for (RwsBackend b : open) {
            b.statementIds.clear();
        }
        tempTables.clear();
        textStatements.clear();
        trxOpen = false;
        trxTarget = null;
        autocommit = true;
        lockedToMaster = false;
        sessionGtid = Gtid.EMPTY;
        hintSession = new HintSession();
    }

    /** COM_PING, COM_STATISTICS: one backend answers; with none open, a ping is answered here. */
    private void anyBackend(Statement st) throws IOException {
        RwsBackend b = master != null && !master.isClosed() ? master : open.isEmpty() ? null : open.get(0);
        if (b == null && st.command() == Commands.COM_PING) {
            ctx.sendToClient(OkPacket.simple(1, autocommit ? ServerStatus.AUTOCOMMIT : 0));
            return;
        }
        if (b == null) {
            b = master();
            if (b == null) {
                b = slave(cfg.maxSlaveReplicationLag());
            }
            if (b == null) {
                noServer(st.packet());
                return;
            }
        }
        send(b, st.packet(), b == master ? TO_MASTER : TO_SLAVE);
    }

    // ---------------------------------------------------------------- prepared statements

    private void prepare(Statement st) throws IOException {
        byte[] packet = st.packet();
        CharSequence sql = st.sqlView();
        int type = Classifier.classify(sql);
        boolean temp = !tempTables.isEmpty() && Classifier.referencesAny(sql, tempTables);
        List<RwsBackend> targets = new ArrayList<>();
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
            if (b == null) {
                noServer(packet);
                return;
            }
            targets.add(b);
        }
        RwsBackend first = targets.contains(master) ? master : targets.get(0);
        List<RwsBackend> sent = new ArrayList<>();
        for (RwsBackend b : targets) {
            try {
                b.conn.send(packet, ReplyTracker.PREPARE | ReplyTracker.CAPTURE);
                sent.add(b);
            } catch (IOException e) {
                if (b == first || !survive(b, e)) {
                    throw new BackendException("backend " + b + " failed: " + e.getMessage(), lostError(b, e));
                }
            }
        }
        Map<RwsBackend, List<byte[]>> replies = new HashMap<>();
        for (RwsBackend b : sent) {
            try {
                replies.put(b, ctx.collectReply(b.conn));
            } catch (IOException e) {
                if (b == first) {
                    failed(b, e);
                    return;
                }
                survive(b, e);
            }
        }
        last = first;
        pending = null;
        List<byte[]> r = replies.get(first);
        if (r == null || r.isEmpty()) {
            throw new BackendException("no reply to a prepare from " + first, (Throwable) null);
        }
        if (Packets.firstByte(r.get(0)) == Packets.ERR) {
            for (Map.Entry<RwsBackend, List<byte[]>> e : replies.entrySet()) {
                if (e.getKey() != first && isPrepareOk(e.getValue())) {
                    closeOn(e.getKey(), Wire.int4(e.getValue().get(0), Packets.HEADER + 1));
                }
            }
            ctx.sendToClient(r.get(0));
            return;
        }
        int id = nextStatementId++;
        lastPreparedId = id;
        for (Map.Entry<RwsBackend, List<byte[]>> e : replies.entrySet()) {
            if (isPrepareOk(e.getValue())) {
                e.getKey().statementIds.put(id, Wire.int4(e.getValue().get(0), Packets.HEADER + 1));
            } else if (e.getKey() != first) {
                log.warn("session {}: {} could not prepare a statement the others prepared; dropping it", ctx.id(), e.getKey());
                drop(e.getKey());
            }
        }
        byte[] ok = r.get(0);
        int params = Wire.int2(ok, Packets.HEADER + 7);
        statements.put(id, new RwsStatement(id, type, params, temp));
        history.addPrepare(packet, id);
        int total = 0;
        for (byte[] p : r) {
            total += p.length;
        }
        byte[] out = new byte[total];
        int pos = 0;
        for (byte[] p : r) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        Wire.put4(out, Packets.HEADER + 1, id); // the client knows the proxy's id
        ctx.sendToClient(out);
    }

    private static boolean isPrepareOk(List<byte[]> r) {
        return r != null && !r.isEmpty() && Packets.firstByte(r.get(0)) == Packets.OK;
    }

    private void closeOn(RwsBackend b, int backendId) {
        byte[] p = new byte[Packets.HEADER + 5];
        Packets.writeHeader(p, 0, 5, 0);
        p[Packets.HEADER] = (byte) Commands.COM_STMT_CLOSE;
        Wire.put4(p, Packets.HEADER + 1, backendId);
        try {
            b.conn.send(p, 0);
        } catch (IOException e) {
            survive(b, e);
        }
    }

    private RwsStatement statement(byte[] packet, String command) throws IOException {
        if (packet.length < Packets.HEADER + 5) {
            ctx.sendToClient(new ErrPacket(ErrPacket.ER_MALFORMED_PACKET, "HY000", "Malformed communication packet").encode(1));
            return null;
        }
        int id = Wire.int4(packet, Packets.HEADER + 1);
        if (id == -1) {
            id = lastPreparedId; // MariaDB: -1 is the statement prepared last
        }
        RwsStatement s = statements.get(id);
        if (s == null && command != null) {
            ctx.sendToClient(new ErrPacket(ER_UNKNOWN_STMT_HANDLER, "HY000", "Unknown prepared statement handler ("
                    + Integer.toUnsignedString(Wire.int4(packet, Packets.HEADER + 1)) + ") given to " + command).encode(1));
        }
        return s;
    }

    /** COM_STMT_EXECUTE: routed by the statement's SQL like a query; id and parameter types fixed per backend. */
    private void execute(byte[] original, boolean retry) throws IOException {
        RwsStatement s = statement(original, "mysqld_stmt_execute");
        if (s == null) {
            return;
        }
        int type = s.type;
        RwsBackend target;
        boolean read = false;
        if (trxOpen) {
            target = trxTarget != null && !trxTarget.isClosed() ? trxTarget : master();
        } else if (s.usesTempTable || needsMaster(type) || isSessionCommand(type)) {
            target = master();
        } else {
            read = true;
            target = slave(cfg.maxSlaveReplicationLag());
            if (target != null && cfg.causalReads() != CausalReads.NONE && !caughtUp(target)) {
                target = null;
            }
            if (target == null) {
                target = master();
            }
        }
        if (target != null && !target.statementIds.containsKey(s.id)) {
            target = master != null && master.statementIds.containsKey(s.id) ? master : null;
        }
        if (target == null) {
            if (read) {
                noServer(original);
            } else {
                noMaster(original);
            }
            return;
        }
        byte[] p = s.packetFor(original, target);
        if (p == original && read && cfg.retryFailedReads()) {
            p = original.clone(); // keep the client's packet for a retry elsewhere
        }
        s.sent(original, p, target);
        Wire.put4(p, Packets.HEADER + 1, target.statementIds.get(s.id));
        s.lastTarget = target;
        if (retry) {
            router.retriedRead();
        }
        if ((type & QueryType.WRITE) != 0 && target == master && !trxOpen && autocommit
                && cfg.causalReads() == CausalReads.GLOBAL) {
            writeWithGtid(target, p);
            return;
        }
        send(target, p, target == master ? TO_MASTER : TO_SLAVE);
        if (read && cfg.retryFailedReads()) {
            retryPacket = original;
            retryIsExecute = true;
        }
        if ((type & QueryType.WRITE) != 0 && target == master && cfg.causalReads() != CausalReads.NONE) {
            gtidWanted = true;
        }
    }

    private void bulkExecute(Statement st) throws IOException {
        RwsStatement s = statement(st.packet(), "mysqld_stmt_bulk_execute");
        if (s == null) {
            return;
        }
        RwsBackend m = trxOpen && trxTarget != null ? trxTarget : master();
        if (m == null || !m.statementIds.containsKey(s.id)) {
            noMaster(st.packet());
            return;
        }
        byte[] p = st.packet();
        Wire.put4(p, Packets.HEADER + 1, m.statementIds.get(s.id));
        send(m, p, m == master ? TO_MASTER : TO_SLAVE);
    }

    private void fetch(Statement st) throws IOException {
        RwsStatement s = statement(st.packet(), "mysqld_stmt_fetch");
        if (s == null) {
            return;
        }
        RwsBackend b = s.lastTarget;
        if (b == null || b.isClosed() || !open.contains(b)) {
            ctx.sendToClient(new ErrPacket(ER_UNKNOWN_STMT_HANDLER, "HY000",
                    "The statement has no open cursor (its server connection was lost or it was not executed)").encode(1));
            return;
        }
        byte[] p = st.packet();
        Wire.put4(p, Packets.HEADER + 1, b.statementIds.get(s.id));
        send(b, p, b == master ? TO_MASTER : TO_SLAVE);
    }

    /** COM_STMT_SEND_LONG_DATA and COM_STMT_CLOSE: to every backend that has the statement; no reply. */
    private void toStatementBackends(Statement st) throws IOException {
        RwsStatement s = statement(st.packet(), null);
        if (s == null) {
            return; // neither command has a reply, so there is nobody to tell
        }
        boolean close = st.command() == Commands.COM_STMT_CLOSE;
        for (RwsBackend b : new ArrayList<>(open)) {
            Integer bid = close ? b.statementIds.remove(s.id) : b.statementIds.get(s.id);
            if (bid == null || b.isClosed()) {
                continue;
            }
            byte[] p = st.packet().clone();
            Wire.put4(p, Packets.HEADER + 1, bid);
            try {
                b.conn.send(p, 0);
            } catch (IOException e) {
                survive(b, e);
            }
        }
        if (close) {
            statements.remove(s.id);
            history.removePrepare(s.id);
        }
    }

    private void resetStatement(Statement st) throws IOException {
        RwsStatement s = statement(st.packet(), "mysqld_stmt_reset");
        if (s == null) {
            return;
        }
        RwsBackend first = null;
        for (RwsBackend b : open) {
            if (b.statementIds.containsKey(s.id) && !b.isClosed() && (first == null || b == master)) {
                first = b;
            }
        }
        if (first == null) {
            ctx.sendToClient(new ErrPacket(ER_UNKNOWN_STMT_HANDLER, "HY000", "Unknown prepared statement handler ("
                    + s.id + ") given to mysqld_stmt_reset").encode(1));
            return;
        }
        for (RwsBackend b : new ArrayList<>(open)) {
            Integer bid = b.statementIds.get(s.id);
            if (bid == null || b.isClosed()) {
                continue;
            }
            byte[] p = st.packet().clone();
            Wire.put4(p, Packets.HEADER + 1, bid);
            try {
                b.conn.send(p, b == first ? ReplyTracker.ONE_PACKET | ReplyTracker.FORWARD : ReplyTracker.ONE_PACKET);
            } catch (IOException e) {
                if (b == first || !survive(b, e)) {
                    throw new BackendException("backend " + b + " failed: " + e.getMessage(), lostError(b, e));
                }
            }
        }
        last = first;
        pending = first;
    }

    // ---------------------------------------------------------------- replies and failures

    /** Waits for the last statement's reply to end and takes the session state from it. */
    private void settle() throws IOException {
        RwsBackend b = pending;
        if (b == null) {
            return;
        }
        pending = null;
        try {
            b.conn.endpoint().awaitReplies(0);
        } catch (IOException e) {
            failed(b, e);
            return;
        }
        observe(b);
    }

    /** Transaction and autocommit state from the status flags of the reply that just ended on {@code b}. */
    private void observe(RwsBackend b) throws IOException {
        if (!observeStatus(b)) {
            return;
        }
        if (gtidWanted && b == master && !trxOpen) {
            gtidWanted = false;
            String g;
            try {
                g = internalQuery(b, "SELECT @@last_gtid");
            } catch (IOException e) {
                failed(b, e);
                return;
            }
            Gtid gtid = Gtid.parse(g);
            if (!gtid.isEmpty()) {
                sessionGtid = gtid;
                router.wrote(gtid);
            }
        }
    }

    /** The flags part of {@link #observe}; false when the reply was an error (no status in it). */
    boolean observeStatus(RwsBackend b) {
        if (b.tracker().lastHeader() == Packets.ERR) {
            return false; // an error carries no status; the state is unchanged
        }
        int status = b.tracker().lastStatus();
        autocommit = (status & ServerStatus.AUTOCOMMIT) != 0;
        boolean inTrx = (status & ServerStatus.IN_TRANS) != 0;
        if (trxOpen && !inTrx && b == trxTarget) {
            trxOpen = false;
            trxTarget = null;
        } else if (!trxOpen && inTrx && b == master) {
            trxOpen = true; // begun implicitly (autocommit=0) or by a statement the classifier did not see as BEGIN
            trxTarget = master;
        }
        return true;
    }

    /**
     * Fast path: whether the last statement's reply has ended (its state then taken, as
     * {@link #settle} would) without waiting; false while it streams or a GTID is to be fetched.
     */
    boolean settledWithoutWaiting() {
        RwsBackend b = pending;
        if (gtidWanted) {
            return false;
        }
        if (b == null) {
            return true;
        }
        if (b.isClosed() || !b.tracker().isIdle()) {
            return false;
        }
        pending = null;
        observeStatus(b);
        return true;
    }

    /** The primary connection if it is open and its server still the primary; never opens one. */
    RwsBackend usableMaster() {
        RwsBackend m = master;
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
                && router.score(master.server) < router.score(best.server)) {
            return master;
        }
        return best;
    }

    /** Fast path: announces and writes {@code packet} to {@code b} if it can be done now without waiting. */
    boolean forwardNow(RwsBackend b, byte[] packet) {
        int kind = ReplyTracker.kindOf(packet);
        if (!b.conn.endpoint().tryForward(packet, kind == 0 ? 0 : kind | ReplyTracker.FORWARD)) {
            return false;
        }
        b.server.statementRouted();
        b.lastUsed = System.nanoTime();
        router.routed(b.server, b == master ? TO_MASTER : TO_SLAVE);
        last = b;
        pending = kind == 0 ? null : b;
        return true;
    }

    @Override
    public boolean handleError(BackendConnection backend, IOException cause) {
        lock.lock();
        try {
            return handleErrorLocked(backend, cause);
        } finally {
            lock.unlock();
        }
    }

    private boolean handleErrorLocked(BackendConnection backend, IOException cause) {
        RwsBackend b = find(backend);
        if (b == null) {
            return true; // no longer ours
        }
        try {
            return survive(b, cause);
        } catch (RuntimeException e) {
            log.error("session {}: handling the failure of {}", ctx.id(), b, e);
            return false;
        }
    }

    /**
     * {@code b} failed while the session was routing: ends the session (with the right error to
     * the client) unless it can go on without it.
     */
    private void failed(RwsBackend b, IOException cause) throws IOException {
        boolean waiting = !b.tracker().isIdle();
        boolean midPacket = waiting && b.conn.endpoint().isMidPacket();
        int seq = b.conn.endpoint().lastSequence() + 1;
        boolean started = waiting && b.tracker().hasStarted();
        if (survive(b, cause)) {
            return;
        }
        if (!midPacket) {
            byte[] err = lostError(b, cause).encode(started ? seq : 1);
            try {
                ctx.sendToClient(err);
            } catch (IOException ignored) {
                // the client is gone too
            }
        }
        throw new BackendException("backend " + b + " failed: " + cause.getMessage(), (Throwable) null);
    }

    /**
     * Drops a failed backend. Returns true if the session goes on: a replica with nothing
     * outstanding, a read retried elsewhere ({@code retry_failed_reads}), or a failed statement
     * answered with an error here. False when the session must end: the primary under
     * {@code fail_instantly}, the server of an open transaction, or a reply already partly sent.
     */
    private boolean survive(RwsBackend b, IOException cause) {
        if (!open.contains(b)) {
            return true;
        }
        boolean waiting = !b.tracker().isIdle();
        boolean started = waiting && b.tracker().hasStarted();
        boolean wasLast = b == last || b == pending;
        boolean wasMaster = b == master;
        boolean wasTrx = trxOpen && b == trxTarget;
        log.warn("session {}: lost {}{}: {}", ctx.id(), b, wasMaster ? " (primary)" : "", cause.getMessage());
        drop(b);
        if (wasTrx || wasMaster && cfg.masterFailureMode() == FailureMode.FAIL_INSTANTLY) {
            return false;
        }
        if (!waiting) {
            return true;
        }
        if (started) {
            return false; // part of the reply is with the client: nothing can be retried or appended
        }
        if (wasLast && retryPacket != null && cfg.retryFailedReads()) {
            byte[] p = retryPacket;
            retryPacket = null;
            try {
                if (retryIsExecute) {
                    execute(p, true);
                } else {
                    RwsBackend other = slave(cfg.maxSlaveReplicationLag());
                    if (other == null) {
                        other = master();
                    }
                    if (other == null) {
                        return false;
                    }
                    router.retriedRead();
                    send(other, p, other == master ? TO_MASTER : TO_SLAVE);
                }
                log.info("session {}: read retried after {} failed", ctx.id(), b);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        if (wasMaster && cfg.masterFailureMode() == FailureMode.FAIL_ON_WRITE) {
            return false;
        }
        try {
            ctx.sendToClient(lostError(b, cause).encode(1));
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    /** Pings backends idle for longer than {@code connection_keepalive}, so their servers' wait_timeout does not end them. */
    void keepalive(boolean withoutWaiting) {
        long ka = cfg.connectionKeepalive().toNanos();
        long now = System.nanoTime();
        if (ka <= 0 || now - lastKeepaliveCheck < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        lastKeepaliveCheck = now;
        for (RwsBackend b : new ArrayList<>(open)) {
            if (now - b.lastUsed >= ka && b.tracker().isIdle() && !b.isClosed()) {
                byte[] ping = {1, 0, 0, 0, (byte) Commands.COM_PING};
                if (withoutWaiting) {
                    if (b.conn.endpoint().tryForward(ping, ReplyTracker.ONE_PACKET)) {
                        b.lastUsed = now;
                    }
                    continue; // a failure reaches the session as an event
                }
                try {
                    b.conn.send(ping, ReplyTracker.ONE_PACKET);
                    b.lastUsed = now;
                } catch (IOException e) {
                    survive(b, e);
                }
            }
        }
    }

    @Override
    public List<BackendConnection> backends() {
        return view;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            for (RwsBackend b : new ArrayList<>(open)) {
                router.routerConnections(b.server).decrementAndGet();
                b.conn.close();
            }
            open.clear();
            view = List.of();
        } finally {
            lock.unlock();
        }
    }
}
