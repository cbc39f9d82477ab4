package io.loomscale.router.readwritesplit;

import io.loomscale.classifier.Classifier;
import io.loomscale.classifier.QueryType;
import io.loomscale.protocol.ByteChars;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.Packets;
import io.loomscale.session.FastPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * readwritesplit's common statements routed by the selector thread itself, without handing the
 * packet to the session's virtual thread: plain reads to an open replica, writes and
 * transactions to the open primary, and COM_STMT_EXECUTE of statements already prepared, with
 * their ids translated. Measured reason: the hand-off of every statement to the session (a
 * wake-up and a context switch) was most of readwritesplit's CPU per query, as it had been for
 * readconnroute (see {@link FastPath}).
 *
 * <p>It decides exactly as {@link RwsSession} would, on the same state, under the session's
 * lock, which it only tries: when the session's thread holds it, when the last reply is still
 * streaming, or when the statement needs anything that may wait or that the session tracks
 * (session commands, prepares, hints, temporary tables, a replica or primary not yet open, a
 * statement the lexer cannot classify, causal reads), it returns false and the packet goes to
 * the session as usual. Never blocks, never throws.
 */
final class RwsFastPath implements FastPath {
    private static final Logger log = LoggerFactory.getLogger(RwsFastPath.class);

    private final RwsSession s;

    RwsFastPath(RwsSession s) {
        this.s = s;
    }

    @Override
    public boolean tryRoute(byte[] packet) {
        if (packet.length <= Packets.HEADER || packet[3] != 0 || !s.lock.tryLock()) {
            return false;
        }
        try {
            RwsBackend last = s.last;
            if (last != null && last.tracker().isReceivingFile()) {
                return false; // LOAD DATA file data: the session forwards it as such
            }
            if (!s.settledWithoutWaiting() || s.abortNext != null) {
                return false;
            }
            s.keepalive(true);
            return switch (packet[Packets.HEADER] & 0xff) {
                case Commands.COM_QUERY -> query(packet);
                case Commands.COM_STMT_EXECUTE -> execute(packet);
                default -> false;
            };
        } catch (RuntimeException e) {
            log.error("readwritesplit fast path failed; the session routes the statement", e);
            return false;
        } finally {
            s.lock.unlock();
        }
    }

    private boolean query(byte[] packet) {
        CharSequence sql = new ByteChars(packet, Packets.HEADER + 1, packet.length - Packets.HEADER - 1);
        if (!s.hintSession.isInert(sql) || !s.tempTables.isEmpty()) {
            return false;
        }
        int type = Classifier.classifyWithoutWaiting(sql);
        if (type == Classifier.UNDECIDED || (type & RwsSession.NOT_FAST) != 0 || RwsSession.isSessionCommand(type)) {
            return false;
        }
        s.ranOnPrimaryOnly(type);
        RwsBackend target;
        boolean begin = false;
        boolean read = false;
        if (s.trxOpen) {
            target = s.trxTarget;
        } else if ((type & QueryType.PREVIOUS_RESULT) != 0) {
            target = s.last; // SHOW WARNINGS and the like: where the previous statement ran
        } else if ((type & QueryType.BEGIN_TRX) != 0) {
            if ((type & QueryType.READ_ONLY_TRX) != 0) {
                return false;
            }
            target = s.conns.usableMaster();
            begin = true;
        } else if (s.needsMaster(type)) {
            target = s.conns.usableMaster();
        } else {
            target = s.conns.openSlaveForRead();
            read = true;
        }
        if (target == null || target.isClosed()) {
            return false;
        }
        if (begin) {
            s.trxOpen = true; // before sending, so that transaction_replay records the BEGIN
            s.trxTarget = target;
        }
        if (!s.forwardNow(target, packet, null)) {
            if (begin) {
                s.trxOpen = false;
                s.trxTarget = null;
            }
            return false;
        }
        s.retryPacket = read && s.cfg.retryFailedReads() ? packet : null;
        s.retryIsExecute = false;
        return true;
    }

    private boolean execute(byte[] packet) {
        if (packet.length < Packets.HEADER + 10) {
            return false;
        }
        int clientId = Wire.int4(packet, Packets.HEADER + 1);
        RwsStatement st = s.prepared.statements.get(clientId == -1 ? s.prepared.lastPreparedId : clientId);
        if (st == null) {
            return false;
        }
        if (RwsSession.isSessionCommand(st.type) || (st.type & (QueryType.PREVIOUS_RESULT | RwsSession.NOT_FAST)) != 0
                || !s.tempTables.isEmpty()) {
            return false; // to every backend, or where the previous statement ran: the session routes it
        }
        s.ranOnPrimaryOnly(st.type);
        RwsBackend target;
        boolean read = false;
        if (s.trxOpen) {
            target = s.trxTarget;
        } else if (s.needsMaster(st.type)) {
            target = s.conns.usableMaster();
        } else {
            target = s.conns.openSlaveForRead();
            read = true;
        }
        if (target == null || target.isClosed() || !target.statementIds.containsKey(st.id)) {
            return false;
        }
        boolean begin = (st.type & QueryType.BEGIN_TRX) != 0 && (st.type & QueryType.READ_ONLY_TRX) == 0 && !s.trxOpen
                && target == s.master;
        if (begin) {
            s.trxOpen = true; // a prepared BEGIN: the transaction starts here (and transaction_replay records it)
            s.trxTarget = target;
        }
        boolean retry = read && s.cfg.retryFailedReads();
        boolean record = s.recording(target);
        byte[] p = st.translate(packet, target, retry || record); // a retry or a replay needs the client's packet
        if (!s.forwardNow(target, p, record ? packet : null)) {
            if (begin) {
                s.trxOpen = false;
                s.trxTarget = null;
            }
            Wire.put4(packet, Packets.HEADER + 1, clientId); // as the client sent it, for the session
            return false;
        }
        st.sent(packet, p, target);
        st.lastTarget = target;
        s.retryPacket = retry ? packet : null;
        s.retryIsExecute = true;
        return true;
    }
}
