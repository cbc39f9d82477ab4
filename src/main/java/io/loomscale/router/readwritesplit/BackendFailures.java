package io.loomscale.router.readwritesplit;

import io.loomscale.protocol.ErrPacket;
import io.loomscale.router.readwritesplit.RwsConfig.FailureMode;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.BackendException;
import io.loomscale.session.SessionContext;

import java.io.IOException;

import static io.loomscale.router.readwritesplit.RwsSession.TO_MASTER;
import static io.loomscale.router.readwritesplit.RwsSession.TO_SLAVE;
import static io.loomscale.router.readwritesplit.RwsSession.log;

/**
 * What one readwritesplit session does when a backend fails or a statement finds no server:
 * drop the backend, and either go on (retrying a read elsewhere under {@code retry_failed_reads},
 * or answering the statement with an error here) or end the session with the right error to the
 * client; and {@code master_failure_mode} when there is no primary. Part of {@link RwsSession},
 * split out for size: runs on the session's virtual thread under {@link RwsSession#lock}
 * ({@link RwsSession#handleError} takes it).
 *
 * <p>Owns no state. Shares the session's: reads its transaction, {@code last}, {@code pending},
 * {@code master} and {@code masterLost}, consumes its {@code retryPacket}, and drops backends,
 * picks servers and sends through the session. Logs under the session's logger.
 */
final class BackendFailures {
    private static final int ER_OPTION_PREVENTS_STATEMENT = 1290;

    private final RwsSession session;
    private final ReadWriteSplit router;
    private final RwsConfig cfg;
    private final SessionContext ctx;

    BackendFailures(RwsSession session) {
        this.session = session;
        this.router = session.router;
        this.cfg = session.cfg;
        this.ctx = session.ctx;
    }

    /** {@link RwsSession#handleError}, under the lock: whether the session can go on without {@code backend}. */
    boolean handleError(BackendConnection backend, IOException cause) {
        RwsBackend b = session.conns.find(backend);
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
    void failed(RwsBackend b, IOException cause) throws IOException {
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
    boolean survive(RwsBackend b, IOException cause) {
        if (!session.conns.all().contains(b)) {
            return true;
        }
        boolean waiting = !b.tracker().isIdle();
        boolean started = waiting && b.tracker().hasStarted();
        boolean wasLast = b == session.last || b == session.pending;
        boolean wasMaster = b == session.master;
        boolean wasTrx = session.trxOpen && b == session.trxTarget;
        log.warn("session {}: lost {}{}: {}", ctx.id(), b, wasMaster ? " (primary)" : "", cause.getMessage());
        session.conns.drop(b);
        if (wasMaster && cfg.transactionReplay() && !session.trxLog.isEmpty()) {
            return session.replay.replay(b, waiting, started);
        }
        if (wasTrx || wasMaster && cfg.masterFailureMode() == FailureMode.FAIL_INSTANTLY && !cfg.masterReconnection()) {
            return false;
        }
        if (!waiting) {
            return true;
        }
        if (started) {
            return false; // part of the reply is with the client: nothing can be retried or appended
        }
        if (wasLast && session.retryPacket != null && cfg.retryFailedReads()) {
            byte[] p = session.retryPacket;
            session.retryPacket = null;
            try {
                if (session.retryIsExecute) {
                    session.prepared.execute(p, true);
                } else {
                    RwsBackend other = session.conns.slave(cfg.maxSlaveReplicationLag());
                    if (other == null) {
                        other = session.conns.masterOrWait();
                    }
                    if (other == null) {
                        return false;
                    }
                    router.retriedRead();
                    session.send(other, p, other == session.master ? TO_MASTER : TO_SLAVE);
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

    static ErrPacket lostError(RwsBackend b, IOException e) {
        return new ErrPacket(ErrPacket.CR_SERVER_LOST, "HY000", "Lost connection to backend server "
                + b.server.name() + ": " + e.getMessage());
    }

    /** No primary for a statement that needs one: {@code master_failure_mode} decides. */
    void noMaster(byte[] packet) throws IOException {
        String why = session.masterLost ? "the connection to the primary was lost" : "no primary server is available";
        if (cfg.masterFailureMode() == FailureMode.ERROR_ON_WRITE) {
            ctx.sendToClient(new ErrPacket(ER_OPTION_PREVENTS_STATEMENT, "HY000", "LoomScale: " + why
                    + "; the session is read-only (master_failure_mode=error_on_write)").encode(1));
            return;
        }
        throw new BackendException(why + " (session " + ctx.id() + ")", new ErrPacket(ErrPacket.ER_UNKNOWN_ERROR,
                "HY000", "LoomScale: " + why + " for service '" + router.service() + "'; closing the session (master_failure_mode="
                + cfg.masterFailureMode().name().toLowerCase(java.util.Locale.ROOT) + ")"));
    }

    /** No server at all for a statement: {@link #noMaster} when the primary is what is missing. */
    void noServer(byte[] packet) throws IOException {
        if (session.masterLost || session.master == null && router.currentMaster() == null) {
            noMaster(packet);
            return;
        }
        throw new BackendException("no server can take the statement (session " + ctx.id() + ")", new ErrPacket(
                ErrPacket.ER_UNKNOWN_ERROR, "HY000", "LoomScale: no server is available for service '" + router.service() + "'"));
    }
}
