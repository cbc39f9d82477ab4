package io.loomscale.router.readwritesplit;

import io.loomscale.classifier.Classifier;
import io.loomscale.classifier.QueryType;
import io.loomscale.hint.HintSession;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.protocol.ServerStatus;
import io.loomscale.router.RouterSession;
import io.loomscale.router.readwritesplit.RwsConfig.CausalReads;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.BackendException;
import io.loomscale.session.FastPath;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static io.loomscale.router.readwritesplit.BackendFailures.lostError;

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
 *
 * <p>The session is one unit, split into classes for size. This class owns the lock and the
 * routing state (transaction and autocommit, the primary connection, the reply in flight, the
 * read to retry, the session history, hints, temporary tables); it dispatches each command,
 * sends, waits for replies and takes the state from them, runs keepalive, and implements
 * {@link RouterSession}. Its parts work on that state directly, under {@link #lock} once the
 * session is shared: {@link SessionBackends} (the connections and the choice of server),
 * {@link QueryRouter} (COM_QUERY and transactions), {@link SessionCommands} (commands for every
 * backend, ping), {@link PreparedStatements} (COM_STMT_*), {@link GtidTracker}
 * ({@code causal_reads}) and {@link BackendFailures} (a failed or missing backend). They log
 * under this class's logger, so logging settings and log lines are as before the split.
 */
final class RwsSession implements RouterSession {
    /** Package-private: the helpers of this session log under this name too. */
    static final Logger log = LoggerFactory.getLogger(RwsSession.class);

    static final int TO_MASTER = 1;
    static final int TO_SLAVE = 2;
    static final int TO_ALL = 3;
    /** Statements the fast path leaves to the session: they change what the session tracks. */
    static final int NOT_FAST = QueryType.CREATE_TMP_TABLE | QueryType.PREPARE_NAMED | QueryType.DEALLOCATE
            | QueryType.EXECUTE_NAMED | QueryType.MULTI_STATEMENT | QueryType.CALL | QueryType.TABLE_LOCK;

    /**
     * Statement types after which a causal read must wait for the session's last GTID: writes,
     * commits, and calls of stored functions and procedures, which may write.
     */
    static final int MAY_WRITE = QueryType.WRITE | QueryType.COMMIT | QueryType.MASTER_ONLY_FUNCTION | QueryType.CALL;

    /**
     * Statement types that may assign user variables where they run, the primary: an assignment
     * in a write ({@code UPDATE ... (@a := v)}), a procedure (OUT parameters, SET inside), a
     * stored function. Reads of user variables go to the primary after one ({@link #userVarsOnMaster}).
     */
    static final int MAY_SET_VARIABLES = QueryType.USERVAR_WRITE | QueryType.CALL | QueryType.MASTER_ONLY_FUNCTION;

    /** Statement types that must run on the primary. */
    static final int MASTER_ONLY = QueryType.WRITE | QueryType.LOCKING_READ | QueryType.MASTER_ONLY_FUNCTION
            | QueryType.MULTI_STATEMENT | QueryType.CALL | QueryType.XA;

    /** Held by whoever changes the routing state: the session's virtual thread, or the fast path (tryLock only). */
    final ReentrantLock lock = new ReentrantLock();
    final ReadWriteSplit router;
    final RwsConfig cfg;
    final SessionContext ctx;

    /** The primary connection, or null (set by {@link SessionBackends}). */
    RwsBackend master;
    /** The session's primary connection failed or the primary changed: no more writes (2.1 has no master_reconnection). */
    boolean masterLost;

    // Transaction state.
    boolean trxOpen;
    RwsBackend trxTarget;
    boolean autocommit = true;
    boolean lockedToMaster;
    /**
     * A statement that ran on the primary only may have assigned a user variable
     * ({@link #MAY_SET_VARIABLES}): the replicas may not have it, so reads of user variables go
     * to the primary from then on (the primary ran every statement that could assign one).
     */
    boolean userVarsOnMaster;
    /**
     * {@code sql_auto_is_null} is on: {@code WHERE id IS NULL} finds the row the session inserted
     * last, which only the primary knows, so reads go there.
     */
    boolean autoIsNull;

    /** The backend whose reply to the last statement may still be streaming, or null. */
    RwsBackend pending;
    /** The backend the last statement went to (continuations and {@code route to last} follow it). */
    RwsBackend last;
    /** A read that may be sent again elsewhere if its backend fails before answering, or null. */
    byte[] retryPacket;
    boolean retryIsExecute;
    /** A write went to the primary and its GTID is wanted (causal reads). */
    boolean gtidWanted;
    /** LOCK TABLES holds locks on the primary: everything goes there until UNLOCK TABLES. */
    boolean tablesLocked;
    /** The command being routed is longer than one packet (see {@link #routeLocked}). */
    boolean splitCommand;
    /** Where the continuations of a split session command go (every backend that got its start), or null. */
    List<RwsBackend> continuationTargets;

    /** The open transaction's statements on the primary, for {@code transaction_replay}. */
    final TransactionLog trxLog;
    /** Set when failure handling sent the failed statement again (or answered it): its caller must not answer it. */
    boolean resent;
    /** An error the client's next statement gets instead of running (a transaction lost with the primary), or null. */
    ErrPacket abortNext;

    final SessionHistory history;
    HintSession hintSession = new HintSession();
    final Set<String> tempTables = new HashSet<>();
    private long lastKeepaliveCheck = System.nanoTime();

    // The parts of the session, made in this order (each may use those made before it).
    final SessionBackends conns;
    final BackendFailures failures;
    final GtidTracker gtids;
    final PreparedStatements prepared;
    final QueryRouter queries;
    final SessionCommands sescmds;
    final TransactionReplay replay;

    RwsSession(ReadWriteSplit router, SessionContext ctx) {
        this.router = router;
        this.cfg = router.config();
        this.ctx = ctx;
        this.history = new SessionHistory(cfg.maxSescmdHistory(), cfg.disableSescmdHistory());
        this.conns = new SessionBackends(this);
        this.failures = new BackendFailures(this);
        this.gtids = new GtidTracker(this);
        this.prepared = new PreparedStatements(this);
        this.queries = new QueryRouter(this);
        this.sescmds = new SessionCommands(this);
        this.replay = new TransactionReplay(this);
        this.trxLog = new TransactionLog(cfg.transactionReplayMaxSize());
    }

    /** Opens the primary and the replicas (unless {@code lazy_connect}); fails when the session cannot work. */
    void start() throws IOException {
        conns.start();
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
            if (last != null && recording(last)) {
                trxLog.poison("it sent a LOAD DATA LOCAL file or a statement of 16 MiB or more");
            }
            if (continuationTargets != null) {
                for (RwsBackend b : continuationTargets) {
                    if (!b.isClosed()) {
                        b.conn.endpoint().sendContinuation(st.packet());
                    }
                }
            } else if (last != null && !last.isClosed()) {
                last.conn.endpoint().sendContinuation(st.packet());
            }
            return;
        }
        continuationTargets = null;
        settle();
        if (abortNext != null) {
            ErrPacket err = abortNext;
            abortNext = null;
            last = null;
            if (st.command() != Commands.COM_QUIT) {
                ctx.sendToClient(err.encode(1));
                return;
            }
        }
        keepalive(false);
        retryPacket = null;
        // A command of 16 MiB or more comes in parts; its reply cannot come before the last part,
        // which follows as continuations: nothing may wait for that reply while routing it.
        splitCommand = Packets.payloadLength(st.packet(), 0) == Packets.MAX_PAYLOAD;
        if (splitCommand && st.command() == Commands.COM_STMT_PREPARE) {
            last = null; // its remaining parts are dropped
            ctx.sendToClient(new ErrPacket(ErrPacket.ER_NET_PACKET_TOO_LARGE, "08S01",
                    "LoomScale: a statement of 16 MiB or more cannot be prepared through readwritesplit").encode(1));
            return;
        }
        switch (st.command()) {
            case Commands.COM_QUERY -> queries.query(st);
            case Commands.COM_STMT_PREPARE -> prepared.prepare(st);
            case Commands.COM_STMT_EXECUTE -> prepared.execute(st.packet(), false);
            case Commands.COM_STMT_BULK_EXECUTE -> prepared.bulkExecute(st);
            case Commands.COM_STMT_FETCH -> prepared.fetch(st);
            case Commands.COM_STMT_SEND_LONG_DATA, Commands.COM_STMT_CLOSE -> {
                if (st.command() == Commands.COM_STMT_SEND_LONG_DATA && master != null && recording(master)) {
                    trxLog.poison("it sent long data (COM_STMT_SEND_LONG_DATA)");
                }
                prepared.toStatementBackends(st);
            }
            case Commands.COM_STMT_RESET -> prepared.resetStatement(st);
            case Commands.COM_INIT_DB, Commands.COM_SET_OPTION -> sescmds.sessionCommand(st.packet(), true);
            case Commands.COM_RESET_CONNECTION -> sescmds.resetConnection(st);
            case Commands.COM_PING, Commands.COM_STATISTICS -> sescmds.anyBackend(st);
            case Commands.COM_FIELD_LIST -> {
                if (!tempTables.isEmpty() || trxOpen || !autocommit) {
                    queries.toMaster(st.packet(), QueryType.READ);
                } else {
                    queries.toSlave(st.packet(), cfg.maxSlaveReplicationLag(), false);
                }
            }
            default -> queries.toMaster(st.packet(), QueryType.WRITE);
        }
    }

    /** Outside a transaction: whether a statement of this type must run on the primary (temporary tables aside). */
    /** A statement of {@code type} ran on the primary only: if it may assign user variables, later reads of them go there. */
    void ranOnPrimaryOnly(int type) {
        if ((type & MAY_SET_VARIABLES) != 0) {
            userVarsOnMaster = true;
        }
    }

    /** Session settings the routing follows, from a session command (text or prepared): {@code sql_auto_is_null}. */
    void followSet(CharSequence sql, int type) {
        if ((type & QueryType.SESSION_WRITE) != 0) {
            Boolean on = QueryRouter.autoIsNullSetting(sql);
            if (on != null) {
                autoIsNull = on;
            }
        }
    }

    /** The session's temporary tables after a statement of {@code type} (text or prepared) runs. */
    void trackTemporaryTables(CharSequence sql, int type) {
        if ((type & QueryType.CREATE_TMP_TABLE) != 0) {
            String t = Classifier.createdTemporaryTable(sql);
            if (t != null) {
                tempTables.add(t);
            }
        } else if (!tempTables.isEmpty() && (type & QueryType.WRITE) != 0) {
            for (String t : Classifier.droppedTables(sql)) {
                tempTables.remove(t);
            }
            for (Classifier.Rename r : Classifier.renamedTables(sql)) {
                if (tempTables.remove(r.from())) {
                    tempTables.add(r.to()); // a renamed temporary table stays on the primary
                }
            }
        }
    }

    boolean needsMaster(int type) {
        return !autocommit || lockedToMaster || tablesLocked || autoIsNull || (type & MASTER_ONLY) != 0 || (type & QueryType.READ) == 0
                || (cfg.variablesOnMasterOnly() || userVarsOnMaster) && (type & QueryType.USERVAR_READ) != 0
                || cfg.variablesOnMasterOnly() && (type & QueryType.SYSVAR_READ) != 0;
    }

    /** Session state changes that every backend must see (and no write that only the primary may run). */
    static boolean isSessionCommand(int type) {
        return (type & (QueryType.SESSION_WRITE | QueryType.USERVAR_WRITE)) != 0 && (type & QueryType.WRITE) == 0;
    }

    /**
     * Sends one command to each of {@code targets}: to {@code first} with {@code firstExpectation},
     * to the others with {@code othersExpectation}, each its own packet ({@code packetFor}). A
     * backend that fails is dropped when the session can go on without it; when {@code first}
     * fails, or the session cannot go on, the session ends. Returns the backends it went to.
     */
    List<RwsBackend> sendToEach(List<RwsBackend> targets, RwsBackend first, java.util.function.Function<RwsBackend, byte[]> packetFor,
            int firstExpectation, int othersExpectation) throws BackendException {
        List<RwsBackend> sent = new ArrayList<>(targets.size());
        for (RwsBackend b : targets) {
            try {
                b.conn.send(packetFor.apply(b), b == first ? firstExpectation : othersExpectation);
                sent.add(b);
            } catch (IOException e) {
                if (b == first || !failures.survive(b, e)) {
                    throw new BackendException("backend " + b + " failed: " + e.getMessage(), lostError(b, e));
                }
            }
        }
        return sent;
    }

    /**
     * Sends a statement whose reply streams to the client ({@code target}: TO_MASTER or TO_SLAVE,
     * for the counters); a failed replica's read goes elsewhere under {@code retry_failed_reads}.
     */
    void send(RwsBackend b, byte[] packet, int target) throws IOException {
        send(b, packet, target, null);
    }

    /**
     * {@link #send(RwsBackend, byte[], int)}; a statement of a transaction on the primary is
     * recorded for {@code transaction_replay}, as {@code recordAs} when given (an EXECUTE as the
     * client sent it) and with a checksum of its reply.
     */
    void send(RwsBackend b, byte[] packet, int target, byte[] recordAs) throws IOException {
        int kind = ReplyTracker.kindOf(packet);
        boolean rec = kind != 0 && recording(b);
        if (rec) {
            trxLog.add(recordAs != null ? recordAs : packet);
        }
        try {
            b.conn.send(packet, kind == 0 ? 0 : kind | ReplyTracker.FORWARD | (rec ? ReplyTracker.CHECKSUM : 0));
        } catch (IOException e) {
            resent = false;
            if (!failures.survive(b, e)) {
                throw new BackendException("backend " + b + " failed: " + e.getMessage(), lostError(b, e));
            }
            if (resent) {
                resent = false;
                return; // replayed on the new primary, or answered
            }
            if (b != master && (target == TO_SLAVE) && cfg.retryFailedReads()) {
                RwsBackend other = conns.slave(cfg.maxSlaveReplicationLag());
                if (other == null) {
                    other = conns.masterOrWait();
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
        router.routed(b, target);
        last = b;
        pending = kind == 0 ? null : b;
    }

    // ---------------------------------------------------------------- state from replies

    /** Waits for the last statement's reply to end and takes the session state from it. */
    void settle() throws IOException {
        RwsBackend b = pending;
        if (b == null) {
            return;
        }
        pending = null;
        try {
            b.conn.endpoint().awaitReplies(0);
        } catch (IOException e) {
            failures.failed(b, e);
            return;
        }
        observe(b);
    }

    /** Transaction and autocommit state from the status flags of the reply that just ended on {@code b}. */
    void observe(RwsBackend b) throws IOException {
        if (!observeStatus(b)) {
            return;
        }
        gtids.observe(b);
    }

    /**
     * Whether a statement sent to {@code b} now belongs to a transaction on the primary that
     * {@code transaction_replay} must be able to run again.
     */
    boolean recording(RwsBackend b) {
        return cfg.transactionReplay() && b == master && (trxOpen || !autocommit);
    }

    /** The flags part of {@link #observe}; false when the reply was an error (no status in it). */
    boolean observeStatus(RwsBackend b) {
        boolean err = b.tracker().lastHeader() == Packets.ERR;
        if (cfg.transactionReplay() && b == master && !trxLog.isEmpty()) {
            int st = b.tracker().lastStatus();
            if (err || (st & ServerStatus.IN_TRANS) != 0) {
                trxLog.completed(b.conn.endpoint().replyChecksum());
            } else {
                trxLog.clear(); // the transaction ended
            }
        }
        if (err) {
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

    /**
     * Fast path: announces and writes {@code packet} to {@code b} if it can be done now without
     * waiting; records it for {@code transaction_replay} as {@link #send(RwsBackend, byte[], int, byte[])} does.
     */
    boolean forwardNow(RwsBackend b, byte[] packet, byte[] recordAs) {
        int kind = ReplyTracker.kindOf(packet);
        boolean rec = kind != 0 && recording(b);
        if (!b.conn.endpoint().tryForward(packet, kind == 0 ? 0 : kind | ReplyTracker.FORWARD
                | (rec ? ReplyTracker.CHECKSUM : 0))) {
            return false;
        }
        if (rec) {
            trxLog.add(recordAs != null ? recordAs : packet);
        }
        b.server.statementRouted();
        b.lastUsed = System.nanoTime();
        router.routed(b, b == master ? TO_MASTER : TO_SLAVE);
        last = b;
        pending = kind == 0 ? null : b;
        return true;
    }

    // ---------------------------------------------------------------- keepalive

    /** Pings backends idle for longer than {@code connection_keepalive}, so their servers' wait_timeout does not end them. */
    void keepalive(boolean withoutWaiting) {
        long ka = cfg.connectionKeepalive().toNanos();
        long now = System.nanoTime();
        if (ka <= 0 || now - lastKeepaliveCheck < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        lastKeepaliveCheck = now;
        for (RwsBackend b : new ArrayList<>(conns.all())) {
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
                    failures.survive(b, e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- the rest of RouterSession

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
        trxLog.clear();
        prepared.reset();
        tempTables.clear();
        queries.reset();
        trxOpen = false;
        trxTarget = null;
        autocommit = true;
        lockedToMaster = false;
        userVarsOnMaster = false;
        autoIsNull = false;
        tablesLocked = false;
        gtids.reset();
        hintSession = new HintSession();
    }

    @Override
    public boolean handleError(BackendConnection backend, IOException cause) {
        lock.lock();
        try {
            return failures.handleError(backend, cause);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<BackendConnection> backends() {
        return conns.view();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            conns.closeAll();
        } finally {
            lock.unlock();
        }
    }
}
