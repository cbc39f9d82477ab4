package io.loomscale.router.readwritesplit;

import io.loomscale.classifier.Classifier;
import io.loomscale.classifier.QueryType;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.router.readwritesplit.RwsConfig.CausalReads;
import io.loomscale.session.BackendException;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static io.loomscale.router.readwritesplit.RwsSession.TO_MASTER;
import static io.loomscale.router.readwritesplit.RwsSession.TO_SLAVE;
import static io.loomscale.router.readwritesplit.RwsSession.isSessionCommand;
import static io.loomscale.router.readwritesplit.RwsSession.log;

/**
 * The binary-protocol prepared statements of one readwritesplit session: COM_STMT_PREPARE on
 * every backend (the client gets the proxy's own statement id), COM_STMT_EXECUTE routed by the
 * statement's SQL like a query with the id (and parameter types) fixed per backend, and
 * BULK_EXECUTE, FETCH, SEND_LONG_DATA, CLOSE and RESET sent where the statement lives. Part of
 * {@link RwsSession}, split out for size: runs on the session's virtual thread under
 * {@link RwsSession#lock}; {@link RwsFastPath} reads {@link #statements} and
 * {@link #lastPreparedId} under the same lock.
 *
 * <p>Owns the session's statements by client id and the ids it hands out; each backend's own
 * ids are in {@link RwsBackend#statementIds}. Shares with the session: it records prepares in
 * the session history, reads the transaction and temporary tables, sets {@code last},
 * {@code pending}, {@code retryPacket} and {@code gtidWanted}, and picks servers, sends, waits
 * for replicas (causal reads) and handles failures through the session's parts. Logs under the
 * session's logger.
 */
final class PreparedStatements {
    private static final int ER_UNKNOWN_STMT_HANDLER = 1243;

    private final RwsSession session;
    private final ReadWriteSplit router;
    private final RwsConfig cfg;
    private final SessionContext ctx;
    private final SessionBackends conns;
    private final BackendFailures failures;

    final Map<Integer, RwsStatement> statements = new HashMap<>();
    private int nextStatementId = 1;
    int lastPreparedId;

    PreparedStatements(RwsSession session) {
        this.session = session;
        this.router = session.router;
        this.cfg = session.cfg;
        this.ctx = session.ctx;
        this.conns = Objects.requireNonNull(session.conns, "made before the session's backends");
        this.failures = Objects.requireNonNull(session.failures, "made before the session's failure handling");
    }

    /** COM_RESET_CONNECTION or COM_CHANGE_USER: every statement is gone, on every backend. */
    void reset() {
        statements.clear();
        for (RwsBackend b : conns.all()) {
            b.statementIds.clear();
        }
    }

    void prepare(Statement st) throws IOException {
        byte[] packet = st.packet();
        CharSequence sql = st.sqlView();
        int type = Classifier.classify(sql);
        List<RwsBackend> targets = conns.everyOpen();
        if (!session.tempTables.isEmpty() && Classifier.referencesAny(sql, session.tempTables)
                && session.master != null && targets.contains(session.master)) {
            // It names a temporary table of the session, which only the primary has: a replica
            // could not prepare it (and would be dropped) or would prepare it against a real
            // table of the same name.
            targets = List.of(session.master);
        }
        if (targets.isEmpty()) {
            failures.noServer(packet);
            return;
        }
        RwsBackend previous = session.last; // a prepare is not "the previous statement" of SHOW WARNINGS and the like
        RwsBackend first = conns.firstOf(targets);
        int prepare = ReplyTracker.PREPARE | ReplyTracker.CAPTURE;
        List<RwsBackend> sent = session.sendToEach(targets, first, b -> packet, prepare, prepare);
        Map<RwsBackend, List<byte[]>> replies = new HashMap<>();
        for (RwsBackend b : sent) {
            try {
                replies.put(b, ctx.collectReply(b.conn));
            } catch (IOException e) {
                if (b == first) {
                    failures.failed(b, e);
                    return;
                }
                failures.survive(b, e);
            }
        }
        session.last = previous != null && !previous.isClosed() ? previous : first;
        session.pending = null;
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
                conns.drop(e.getKey());
            }
        }
        byte[] ok = r.get(0);
        int params = Wire.int2(ok, Packets.HEADER + 7);
        statements.put(id, new RwsStatement(id, type, params, sql.toString()));
        session.history.addPrepare(packet, id);
        byte[] out = Wire.concat(r);
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
            failures.survive(b, e);
        }
    }

    /** A copy of a COM_STMT_* packet with the statement id one backend knows it by. */
    private static byte[] withBackendId(byte[] packet, int backendId) {
        byte[] p = packet.clone();
        Wire.put4(p, Packets.HEADER + 1, backendId);
        return p;
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
    void execute(byte[] original, boolean retry) throws IOException {
        RwsStatement s = statement(original, "mysqld_stmt_execute");
        if (s == null) {
            return;
        }
        int type = s.type;
        if (!retry) {
            session.trackTemporaryTables(s.sql, type); // CREATE/DROP TEMPORARY TABLE prepared server-side
        }
        if (isSessionCommand(type) && !retry) {
            session.followSet(s.sql, type);
            session.sescmds.preparedSessionCommand(s, original);
            return;
        }
        RwsBackend target;
        boolean read = false;
        if (session.trxOpen) {
            target = session.trxTarget != null && !session.trxTarget.isClosed() ? session.trxTarget : conns.masterOrWait();
        } else if ((type & QueryType.PREVIOUS_RESULT) != 0 && session.last != null && !session.last.isClosed()) {
            target = session.last; // SHOW WARNINGS, SHOW STATUS, FOUND_ROWS(): where the previous statement ran
        } else if (s.usesTempTable(session.tempTables) || session.needsMaster(type) || isSessionCommand(type)) {
            target = conns.masterOrWait();
        } else {
            read = true;
            target = conns.slave(cfg.maxSlaveReplicationLag());
            if (target != null && cfg.causalReads() != CausalReads.NONE && !session.gtids.caughtUp(target)) {
                target = null;
            }
            if (target == null) {
                target = conns.masterOrWait();
            }
        }
        session.ranOnPrimaryOnly(type);
        if (target != null && !target.statementIds.containsKey(s.id)) {
            target = session.master != null && session.master.statementIds.containsKey(s.id) ? session.master : null;
        }
        if (target == null) {
            if (read) {
                failures.noServer(original);
            } else {
                failures.noMaster(original);
            }
            return;
        }
        if ((type & QueryType.BEGIN_TRX) != 0 && (type & QueryType.READ_ONLY_TRX) == 0 && !session.trxOpen
                && target == session.master) {
            session.trxOpen = true; // a prepared BEGIN (sysbench's): the transaction starts here, as for a text one
            session.trxTarget = target;
        }
        byte[] recordAs = session.recording(target) ? original.clone() : null;
        byte[] p = s.translate(original, target, read && cfg.retryFailedReads()); // a retry elsewhere needs the client's packet
        s.sent(original, p, target);
        s.lastTarget = target;
        if (retry) {
            router.retriedRead();
        }
        if ((type & QueryType.WRITE) != 0 && target == session.master && !session.trxOpen && session.autocommit
                && cfg.causalReads() == CausalReads.GLOBAL) {
            session.gtids.writeWithGtid(target, p);
            return;
        }
        session.send(target, p, target == session.master ? TO_MASTER : TO_SLAVE, recordAs);
        if (read && cfg.retryFailedReads()) {
            session.retryPacket = original;
            session.retryIsExecute = true;
        }
        if ((type & RwsSession.MAY_WRITE) != 0 && target == session.master && cfg.causalReads() != CausalReads.NONE) {
            session.gtidWanted = true;
        }
    }

    void bulkExecute(Statement st) throws IOException {
        RwsStatement s = statement(st.packet(), "mysqld_stmt_bulk_execute");
        if (s == null) {
            return;
        }
        RwsBackend m = session.trxOpen && session.trxTarget != null ? session.trxTarget : conns.masterOrWait();
        if (m == null || !m.statementIds.containsKey(s.id)) {
            failures.noMaster(st.packet());
            return;
        }
        byte[] p = st.packet();
        Wire.put4(p, Packets.HEADER + 1, m.statementIds.get(s.id));
        session.send(m, p, m == session.master ? TO_MASTER : TO_SLAVE);
    }

    void fetch(Statement st) throws IOException {
        RwsStatement s = statement(st.packet(), "mysqld_stmt_fetch");
        if (s == null) {
            return;
        }
        RwsBackend b = s.lastTarget;
        if (b == null || b.isClosed() || !conns.all().contains(b)) {
            ctx.sendToClient(new ErrPacket(ER_UNKNOWN_STMT_HANDLER, "HY000",
                    "The statement has no open cursor (its server connection was lost or it was not executed)").encode(1));
            return;
        }
        byte[] p = st.packet();
        Wire.put4(p, Packets.HEADER + 1, b.statementIds.get(s.id));
        session.send(b, p, b == session.master ? TO_MASTER : TO_SLAVE);
    }

    /** COM_STMT_SEND_LONG_DATA and COM_STMT_CLOSE: to every backend that has the statement; no reply. */
    void toStatementBackends(Statement st) throws IOException {
        RwsStatement s = statement(st.packet(), null);
        if (s == null) {
            return; // neither command has a reply, so there is nobody to tell
        }
        boolean close = st.command() == Commands.COM_STMT_CLOSE;
        for (RwsBackend b : new ArrayList<>(conns.all())) {
            Integer bid = close ? b.statementIds.remove(s.id) : b.statementIds.get(s.id);
            if (bid == null || b.isClosed()) {
                continue;
            }
            try {
                b.conn.send(withBackendId(st.packet(), bid), 0);
            } catch (IOException e) {
                failures.survive(b, e);
            }
        }
        if (close) {
            statements.remove(s.id);
            session.history.removePrepare(s.id);
        }
    }

    void resetStatement(Statement st) throws IOException {
        RwsStatement s = statement(st.packet(), "mysqld_stmt_reset");
        if (s == null) {
            return;
        }
        RwsBackend first = null;
        for (RwsBackend b : conns.all()) {
            if (b.statementIds.containsKey(s.id) && !b.isClosed() && (first == null || b == session.master)) {
                first = b;
            }
        }
        if (first == null) {
            ctx.sendToClient(new ErrPacket(ER_UNKNOWN_STMT_HANDLER, "HY000", "Unknown prepared statement handler ("
                    + s.id + ") given to mysqld_stmt_reset").encode(1));
            return;
        }
        List<RwsBackend> targets = new ArrayList<>();
        for (RwsBackend b : conns.all()) {
            if (b.statementIds.containsKey(s.id) && !b.isClosed()) {
                targets.add(b);
            }
        }
        session.sendToEach(targets, first, b -> withBackendId(st.packet(), b.statementIds.get(s.id)),
                ReplyTracker.ONE_PACKET | ReplyTracker.FORWARD, ReplyTracker.ONE_PACKET);
        session.last = first;
        session.pending = first;
    }
}
