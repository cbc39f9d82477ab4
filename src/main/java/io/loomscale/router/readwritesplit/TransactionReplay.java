package io.loomscale.router.readwritesplit;

import io.loomscale.classifier.Classifier;
import io.loomscale.classifier.QueryType;
import io.loomscale.protocol.ByteChars;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.session.SessionContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.loomscale.router.readwritesplit.RwsSession.TO_MASTER;
import static io.loomscale.router.readwritesplit.RwsSession.log;

/**
 * {@code transaction_replay} (MaxScale 2.3+): the primary failed while the session had a
 * transaction open on it. Once a primary is back (a failover, within {@code delayed_retry_timeout}),
 * the session connects to it (replaying its session history as for any new connection), runs the
 * transaction's statements again without showing their replies to the client, and compares each
 * reply's checksum with the one of the reply the client got. If all match, the statement that was
 * on its way when the primary failed (if any) is sent again and its reply goes to the client as if
 * nothing happened; the transaction goes on on the new primary. If one differs (another session
 * changed the rows meanwhile), the session ends with an error, as in MaxScale.
 *
 * <p>One case is never replayed: a COMMIT (or a statement that commits implicitly) that was on
 * its way. The old primary may have committed it before it died (and a replica may have it), so
 * running it again could apply the transaction twice; the client gets ERR 1180 saying the outcome
 * is unknown, and the session goes on outside a transaction. That is
 * {@code transaction_replay_safe_commit = true} (MaxScale 23.08's key and default); with
 * {@code false}, the COMMIT is replayed like any statement, as MaxScale 2.3 to 22.08 did, at the
 * risk of committing the transaction twice. Part of {@link RwsSession}; session thread, under its lock.
 */
final class TransactionReplay {
    static final int ER_ERROR_DURING_COMMIT = 1180;
    static final int ER_LOCK_DEADLOCK = 1213;

    private final RwsSession session;
    private final RwsConfig cfg;
    private final SessionContext ctx;

    TransactionReplay(RwsSession session) {
        this.session = session;
        this.cfg = session.cfg;
        this.ctx = session.ctx;
    }

    /**
     * Replays the recorded transaction after {@code failed} (the primary, already dropped) failed.
     *
     * @param waiting whether a reply from it was outstanding
     * @param started whether part of that reply had reached the client
     * @return whether the session goes on
     */
    boolean replay(RwsBackend failed, boolean waiting, boolean started) {
        TransactionLog trx = session.trxLog;
        String why = trx.notReplayable();
        if (why == null && started) {
            why = "part of a reply had reached the client";
        }
        if (why != null) {
            log.warn("session {}: the transaction on {} cannot be replayed: {}", ctx.id(), failed.server.name(), why);
            return false;
        }
        List<TransactionLog.Entry> entries = new ArrayList<>(trx.entries());
        TransactionLog.Entry inflight = null;
        if (!entries.isEmpty() && !entries.get(entries.size() - 1).done) {
            TransactionLog.Entry last = entries.get(entries.size() - 1);
            if (waiting) {
                inflight = entries.remove(entries.size() - 1); // its reply never came: send it again
            } else {
                // Its reply ended (the client has it) before the session took note: done, with
                // the checksum the selector thread computed. Sending it again would give the
                // client a second reply.
                last.checksum = failed.conn.endpoint().replyChecksum();
                last.done = true;
            }
        }
        if (inflight != null && cfg.transactionReplaySafeCommit() && commits(inflight.packet)) {
            trx.clear();
            session.trxOpen = false;
            session.trxTarget = null;
            log.warn("session {}: {} failed while a COMMIT was on its way; its outcome is unknown, so it is not replayed",
                    ctx.id(), failed.server.name());
            return answer(new ErrPacket(ER_ERROR_DURING_COMMIT, "HY000", "Got error during COMMIT: the connection to the "
                    + "primary " + failed.server.name() + " was lost while the COMMIT was on its way; LoomScale cannot "
                    + "tell whether the transaction committed"));
        }
        long deadline = System.nanoTime() + cfg.delayedRetryTimeout().toNanos();
        RwsBackend m = session.conns.awaitMaster(deadline);
        if (m == null) {
            log.warn("session {}: no primary within delayed_retry_timeout ({} s) to replay the transaction on",
                    ctx.id(), cfg.delayedRetryTimeout().toSeconds());
            return false;
        }
        try {
            int n = 0;
            for (TransactionLog.Entry e : entries) {
                byte[] p = packetFor(e.packet, m);
                if (p == null) {
                    log.warn("session {}: a prepared statement of the transaction is not prepared on {}", ctx.id(), m);
                    return false;
                }
                m.conn.send(p, ReplyTracker.kindOf(p) | ReplyTracker.CHECKSUM);
                m.conn.endpoint().awaitReplies(0);
                n++;
                if (m.conn.endpoint().replyChecksum() != e.checksum) {
                    log.warn("session {}: transaction replay on {}: statement {} of {} returned something else than "
                            + "before (another session changed the data); the transaction is rolled back",
                            ctx.id(), m.server.name(), n, entries.size());
                    return abort(m, inflight != null, "a row it read or wrote had changed when it was run again");
                }
            }
        } catch (IOException e) {
            log.warn("session {}: transaction replay on {} failed: {}", ctx.id(), m.server.name(), e.getMessage());
            return false;
        }
        session.trxOpen = true;
        session.trxTarget = m;
        session.router.replayedTransaction();
        log.info("session {}: transaction replayed on {} ({} statements) after {} failed", ctx.id(), m.server.name(),
                entries.size(), failed.server.name());
        trx.retainDone();
        if (inflight != null) {
            byte[] p = packetFor(inflight.packet, m);
            if (p == null) {
                return false;
            }
            try {
                session.resent = true;
                session.send(m, p, TO_MASTER, p == inflight.packet ? null : inflight.packet);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * The replay failed because the data changed: the transaction is rolled back on {@code m}
     * and the client is told so with ERR 1213 (SQLSTATE 40001, "try restarting the transaction",
     * what a deadlock or a Galera certification conflict says), at once if a statement waits for
     * its answer, else for its next statement (so nothing of the rest of its transaction runs
     * outside a transaction). The session goes on.
     */
    private boolean abort(RwsBackend m, boolean statementWaiting, String why) {
        try {
            byte[] rollback = Wire.query("ROLLBACK");
            m.conn.send(rollback, ReplyTracker.kindOf(rollback));
            m.conn.endpoint().awaitReplies(0);
        } catch (IOException e) {
            return false;
        }
        session.trxLog.clear();
        session.trxOpen = false;
        session.trxTarget = null;
        session.router.abortedReplay();
        ErrPacket err = new ErrPacket(ER_LOCK_DEADLOCK, "40001", "Deadlock found when trying to get lock; try "
                + "restarting transaction (LoomScale: the primary failed and the transaction could not be replayed "
                + "on the new primary: " + why + ")");
        if (statementWaiting) {
            return answer(err);
        }
        session.abortNext = err;
        return true;
    }

    private boolean answer(ErrPacket err) {
        try {
            ctx.sendToClient(err.encode(1));
            session.resent = true; // the statement has its answer
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the statement (text or prepared) ends the transaction by committing it (COMMIT, or an implicit commit). */
    private boolean commits(byte[] packet) {
        if (packet.length <= Packets.HEADER) {
            return false;
        }
        int command = packet[Packets.HEADER] & 0xff;
        int type;
        if (command == Commands.COM_QUERY) {
            type = Classifier.classify(new ByteChars(packet, Packets.HEADER + 1, packet.length - Packets.HEADER - 1));
        } else if (command == Commands.COM_STMT_EXECUTE && packet.length >= Packets.HEADER + 5) {
            int clientId = Wire.int4(packet, Packets.HEADER + 1);
            RwsStatement st = session.prepared.statements.get(clientId == -1 ? session.prepared.lastPreparedId : clientId);
            type = st == null ? QueryType.COMMIT : st.type; // unknown: assume the worst
        } else {
            return false;
        }
        return (type & (QueryType.COMMIT | QueryType.IMPLICIT_COMMIT | QueryType.ENABLE_AUTOCOMMIT)) != 0 && (type & QueryType.ROLLBACK) == 0;
    }

    /** The recorded packet for connection {@code b}: EXECUTE gets {@code b}'s statement id (null if it has none). */
    private byte[] packetFor(byte[] recorded, RwsBackend b) {
        if ((recorded[Packets.HEADER] & 0xff) != Commands.COM_STMT_EXECUTE) {
            return recorded;
        }
        int clientId = Wire.int4(recorded, Packets.HEADER + 1);
        RwsStatement st = session.prepared.statements.get(clientId == -1 ? session.prepared.lastPreparedId : clientId);
        if (st == null || !b.statementIds.containsKey(st.id)) {
            return null;
        }
        byte[] p = st.translate(recorded, b, true);
        st.sent(recorded, p, b);
        return p;
    }
}
