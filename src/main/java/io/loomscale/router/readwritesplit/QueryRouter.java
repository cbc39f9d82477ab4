package io.loomscale.router.readwritesplit;

import io.loomscale.classifier.Classifier;
import io.loomscale.classifier.QueryType;
import io.loomscale.hint.Hint;
import io.loomscale.router.readwritesplit.RwsConfig.CausalReads;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static io.loomscale.router.readwritesplit.RwsSession.MASTER_ONLY;
import static io.loomscale.router.readwritesplit.RwsSession.TO_MASTER;
import static io.loomscale.router.readwritesplit.RwsSession.TO_SLAVE;
import static io.loomscale.router.readwritesplit.RwsSession.isSessionCommand;
import static io.loomscale.router.readwritesplit.RwsSession.log;

/**
 * Where one readwritesplit session's COM_QUERY goes: the classifier's type, temporary tables,
 * text PREPARE/EXECUTE/DEALLOCATE, routing hints, transactions ({@code BEGIN}, a read-only
 * transaction on a replica, everything inside one to its server), the primary for writes and
 * anything that must see the session's state there, a replica for plain reads. Also the
 * primary/replica sends other commands use ({@link #toMaster}, {@link #toSlave}). Part of
 * {@link RwsSession}, split out for size: runs on the session's virtual thread under
 * {@link RwsSession#lock}. {@link RwsFastPath} takes the same decisions for the plain cases.
 *
 * <p>Owns the names of the session's text prepared statements and the types of their SQL.
 * Shares with the session: it changes its temporary tables, transaction state, {@code lockedToMaster},
 * {@code retryPacket} and {@code gtidWanted}, and picks servers, sends, waits for replicas (causal
 * reads) and answers a missing server through the session. Logs under the session's logger.
 */
final class QueryRouter {
    private final RwsSession session;
    private final RwsConfig cfg;
    private final SessionContext ctx;
    private final SessionBackends conns;
    private final BackendFailures failures;

    /** Text PREPARE names to the QueryType flags of their statement. */
    private final Map<String, Integer> textStatements = new HashMap<>();

    QueryRouter(RwsSession session) {
        this.session = session;
        this.cfg = session.cfg;
        this.ctx = session.ctx;
        this.conns = Objects.requireNonNull(session.conns, "made before the session's backends");
        this.failures = Objects.requireNonNull(session.failures, "made before the session's failure handling");
    }

    /**
     * What a SET statement does to {@code sql_auto_is_null}: true when it turns it on (1, ON,
     * TRUE, or a value this cannot read), false when off (0, OFF, FALSE, DEFAULT), null when it
     * does not name it.
     */
    static Boolean autoIsNullSetting(CharSequence sql) {
        int at = indexOfIgnoreCase(sql, "sql_auto_is_null"); // most SETs do not name it: no copy for them
        if (at < 0) {
            return null;
        }
        int i = at + "sql_auto_is_null".length();
        while (i < sql.length() && (Character.isWhitespace(sql.charAt(i)) || sql.charAt(i) == '=' || sql.charAt(i) == ':')) {
            i++;
        }
        int end = i;
        while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '\'')) {
            end++;
        }
        String v = sql.subSequence(i, end).toString().replace("'", "").toLowerCase(java.util.Locale.ROOT);
        return !(v.equals("0") || v.equals("off") || v.equals("false") || v.equals("default"));
    }

    /** Where {@code lower} (lower-case ASCII) first occurs in {@code s}, in any letter case, or -1. */
    private static int indexOfIgnoreCase(CharSequence s, String lower) {
        outer:
        for (int i = 0; i + lower.length() <= s.length(); i++) {
            for (int k = 0; k < lower.length(); k++) {
                if (Character.toLowerCase(s.charAt(i + k)) != lower.charAt(k)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** COM_RESET_CONNECTION or COM_CHANGE_USER: the text prepared statements are gone. */
    void reset() {
        textStatements.clear();
    }

    void query(Statement st) throws IOException {
        CharSequence sql = st.sqlView();
        List<Hint> hints = session.hintSession.process(sql);
        if (!st.hints().isEmpty()) {
            List<Hint> all = new ArrayList<>(st.hints()); // a filter's hints (namedserverfilter) come first
            all.addAll(hints);
            hints = all;
        }
        int type = Classifier.classify(sql);
        session.trackTemporaryTables(sql, type);
        if ((type & QueryType.TABLE_LOCK) != 0) {
            session.tablesLocked = (type & QueryType.IMPLICIT_COMMIT) != 0; // LOCK TABLES; UNLOCK has no implicit commit
        }
        if ((type & (QueryType.PREPARE_NAMED | QueryType.DEALLOCATE | QueryType.EXECUTE_NAMED)) != 0) {
            type = textPrepared(st, type);
        }
        byte[] packet = st.packet();
        if (isSessionCommand(type)) {
            session.followSet(sql, type);
            if ((type & QueryType.READ) != 0 && cfg.causalReads() != CausalReads.NONE) {
                // SELECT @a := col FROM t runs on every backend: the replicas first apply what the
                // read must see, as a read routed to one of them would (best effort: on time-out
                // it runs anyway, since every backend must run it).
                for (RwsBackend b : session.conns.everyOpen()) {
                    if (b != session.master) {
                        session.gtids.caughtUp(b);
                    }
                }
            }
            session.sescmds.sessionCommand(packet, true);
            return;
        }
        session.ranOnPrimaryOnly(type);
        if ((type & QueryType.BEGIN_TRX) != 0 && !session.trxOpen) {
            beginTransaction(packet, type);
            return;
        }
        if (session.trxOpen) {
            toTransaction(packet, type);
            return;
        }
        if (!hints.isEmpty() && routeByHint(packet, type, hints)) {
            return;
        }
        if ((type & QueryType.PREVIOUS_RESULT) != 0 && session.last != null && !session.last.isClosed()) {
            // SHOW WARNINGS and the like: about the previous statement, where it ran.
            session.send(session.last, packet, session.last == session.master ? TO_MASTER : TO_SLAVE);
            return;
        }
        if ((type & QueryType.MULTI_STATEMENT) != 0 && cfg.strictMultiStmt()
                || (type & QueryType.CALL) != 0 && cfg.strictSpCalls()) {
            if (!session.lockedToMaster) {
                log.info("session {}: multi-statement or stored procedure call: the rest of the session goes to the primary",
                        ctx.id());
            }
            session.lockedToMaster = true;
        }
        if (session.needsMaster(type) || (type & QueryType.PREVIOUS_RESULT) != 0 || !session.tempTables.isEmpty() && Classifier.referencesAny(sql, session.tempTables)) {
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
                RwsBackend s = conns.slave(lag);
                if (s == null) {
                    return false;
                }
                sendHinted(s, packet, type);
                return true;
            }
            case ROUTE_TO_NAMED_SERVER -> {
                RwsBackend b = conns.named(route.server());
                if (b == null) {
                    log.debug("session {}: hint names server '{}', which this session cannot use", ctx.id(), route.server());
                    return false;
                }
                sendHinted(b, packet, type);
                return true;
            }
            case ROUTE_TO_LAST_USED -> {
                if (session.last == null || session.last.isClosed()) {
                    return false;
                }
                sendHinted(session.last, packet, type);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void sendHinted(RwsBackend b, byte[] packet, int type) throws IOException {
        session.send(b, packet, b == session.master ? TO_MASTER : TO_SLAVE);
        if (isPlainRead(type) && cfg.retryFailedReads()) {
            session.retryPacket = packet; // a hinted read whose server fails goes wherever a read may
            session.retryIsExecute = false;
        }
    }

    private boolean isPlainRead(int type) {
        return (type & QueryType.READ) != 0 && (type & MASTER_ONLY) == 0 && session.autocommit && !session.lockedToMaster;
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
        if ((type & QueryType.READ_ONLY_TRX) != 0 && session.autocommit && !session.lockedToMaster) {
            target = conns.slave(cfg.maxSlaveReplicationLag());
            if (target == null) {
                target = conns.masterOrWait();
            }
        } else {
            target = conns.masterOrWait();
        }
        if (target == null) {
            failures.noMaster(packet);
            return;
        }
        session.trxOpen = true;
        session.trxTarget = target;
        session.send(target, packet, target == session.master ? TO_MASTER : TO_SLAVE);
    }

    /** Inside a transaction everything goes to the transaction's server. */
    private void toTransaction(byte[] packet, int type) throws IOException {
        RwsBackend t = session.trxTarget;
        if (t == null || t.isClosed()) {
            t = conns.masterOrWait();
            if (t == null) {
                failures.noMaster(packet);
                return;
            }
            session.trxTarget = t;
        }
        if ((type & QueryType.COMMIT) != 0 && t == session.master && cfg.causalReads() == CausalReads.GLOBAL) {
            session.gtids.writeWithGtid(t, packet);
            return;
        }
        session.send(t, packet, t == session.master ? TO_MASTER : TO_SLAVE);
        if ((type & QueryType.WRITE) != 0 && t == session.master) {
            session.gtidWanted = cfg.causalReads() != CausalReads.NONE;
        }
    }

    /** To the primary (opened if needed); {@code master_failure_mode} when there is none. */
    void toMaster(byte[] packet, int type) throws IOException {
        RwsBackend m = conns.masterOrWait();
        if (m == null) {
            failures.noMaster(packet);
            return;
        }
        boolean read = (type & MASTER_ONLY) == 0 && (type & QueryType.READ) != 0 && session.autocommit && !session.trxOpen;
        if ((type & (QueryType.WRITE | QueryType.COMMIT)) != 0 && cfg.causalReads() == CausalReads.GLOBAL && session.autocommit) {
            session.gtids.writeWithGtid(m, packet);
            return;
        }
        session.send(m, packet, TO_MASTER);
        if (read) {
            session.retryPacket = packet;
            session.retryIsExecute = false;
        }
        if ((type & RwsSession.MAY_WRITE) != 0 && cfg.causalReads() != CausalReads.NONE) {
            session.gtidWanted = true;
            // Not while the reply needs more from the client: the rest of a split packet, a LOAD DATA LOCAL file.
            if (cfg.causalReads() == CausalReads.GLOBAL && session.autocommit && !session.splitCommand
                    && !GtidTracker.mentionsLocal(packet)) {
                session.settle(); // learn the GTID now, so another session's read (global mode) can wait for it
            }
        }
    }

    /** A read for a replica; the primary when no replica can take it. */
    void toSlave(byte[] packet, long maxLag, boolean execute) throws IOException {
        RwsBackend s = conns.slave(maxLag);
        if (s != null && cfg.causalReads() != CausalReads.NONE && !session.gtids.caughtUp(s)) {
            s = null; // timed out waiting for the replica: the primary has the data
        }
        if (s == null) {
            s = conns.masterOrWait();
            if (s == null) {
                failures.noServer(packet);
                return;
            }
        }
        session.send(s, packet, s == session.master ? TO_MASTER : TO_SLAVE);
        if (cfg.retryFailedReads()) {
            session.retryPacket = execute ? packet.clone() : packet;
            session.retryIsExecute = execute;
        }
    }
}
