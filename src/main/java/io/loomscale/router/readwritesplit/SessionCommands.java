package io.loomscale.router.readwritesplit;

import io.loomscale.protocol.Commands;
import io.loomscale.protocol.OkPacket;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.protocol.ServerStatus;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import static io.loomscale.router.readwritesplit.RwsSession.TO_ALL;
import static io.loomscale.router.readwritesplit.RwsSession.TO_MASTER;
import static io.loomscale.router.readwritesplit.RwsSession.TO_SLAVE;
import static io.loomscale.router.readwritesplit.RwsSession.log;

/**
 * The commands of one readwritesplit session that concern its connections rather than one
 * statement's data: session commands ({@code SET}, {@code USE}, COM_INIT_DB...) sent to every
 * backend, compared, and recorded in the session history that a later connection replays;
 * COM_RESET_CONNECTION; COM_PING and COM_STATISTICS, which one backend answers. Part of
 * {@link RwsSession}, split out for size: runs on the session's virtual thread under
 * {@link RwsSession#lock}.
 *
 * <p>Owns no state. Shares the session's: it adds to its session history, sets {@code last} and
 * {@code pending}, takes the state from the replies through the session, and picks servers,
 * drops a backend that answered differently and handles failures through the session's parts.
 * Logs under the session's logger.
 */
final class SessionCommands {
    private final RwsSession session;
    private final ReadWriteSplit router;
    private final RwsConfig cfg;
    private final SessionContext ctx;
    private final SessionBackends conns;
    private final BackendFailures failures;

    SessionCommands(RwsSession session) {
        this.session = session;
        this.router = session.router;
        this.cfg = session.cfg;
        this.ctx = session.ctx;
        this.conns = Objects.requireNonNull(session.conns, "made before the session's backends");
        this.failures = Objects.requireNonNull(session.failures, "made before the session's failure handling");
    }

    /**
     * Sends a session command to every backend of the session. The client gets the reply of the
     * primary (or of the first replica); every reply is awaited and a backend whose reply differs
     * (an error where the first succeeded, or the other way round) is dropped from the session.
     */
    void sessionCommand(byte[] packet, boolean record) throws IOException {
        toEvery(conns.everyOpen(), packet, b -> packet, record);
    }

    /**
     * A prepared statement that changes session state ({@code SET ...} run with
     * COM_STMT_EXECUTE, as {@code mariadb-test --ps-protocol} or an application's server-side
     * prepares do): to every backend that has the statement, each under its own id, like a text
     * session command. It is not kept in the history (its id and types are per connection): a
     * backend connection opened later does not get it.
     */
    void preparedSessionCommand(RwsStatement st, byte[] original) throws IOException {
        List<RwsBackend> targets = new ArrayList<>();
        for (RwsBackend b : conns.everyOpen()) {
            if (b.statementIds.containsKey(st.id)) {
                targets.add(b);
            }
        }
        toEvery(targets, original, b -> {
            byte[] p = st.translate(original, b, true);
            st.sent(original, p, b);
            return p;
        }, false);
    }

    /** Sends {@code packet} (as {@code packetFor} makes it for each) to {@code targets}; see {@link #sessionCommand}. */
    private void toEvery(List<RwsBackend> targets, byte[] packet, Function<RwsBackend, byte[]> packetFor,
            boolean record) throws IOException {
        if (targets.isEmpty()) {
            failures.noServer(packet);
            return;
        }
        RwsBackend first = conns.firstOf(targets);
        int kind = ReplyTracker.kindOf(packet);
        List<RwsBackend> sent = session.sendToEach(targets, first, packetFor, kind | ReplyTracker.FORWARD, kind);
        for (RwsBackend b : sent) {
            b.lastUsed = System.nanoTime();
            router.routed(b, TO_ALL);
        }
        router.routedToAll();
        session.last = first;
        session.pending = null;
        if (session.splitCommand) {
            // 16 MiB or more: the rest follows as continuations, to every backend that got the
            // start, and no reply can come before it. Nothing waits or compares now; the history
            // cannot hold it, so no backend opened later could be brought to this state.
            session.continuationTargets = sent;
            session.pending = first;
            if (record && session.history.isOn()) {
                session.history.disable();
                log.info("session {}: a session command of 16 MiB or more: session command history off", ctx.id());
            }
            return;
        }
        try {
            first.conn.endpoint().awaitReplies(0);
        } catch (IOException e) {
            failures.failed(first, e);
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
                failures.survive(b, e);
                continue;
            }
            if ((b.tracker().lastHeader() != Packets.ERR) != ok) {
                log.warn("session {}: {} answered a session command {} while {} {}; dropping it from the session",
                        ctx.id(), b, ok ? "with an error" : "successfully", first, ok ? "succeeded" : "failed");
                conns.drop(b);
            }
        }
        session.observe(first);
        if (session.trxOpen && session.trxTarget != first && sent.contains(session.trxTarget)
                && conns.all().contains(session.trxTarget)) {
            session.observe(session.trxTarget); // SET autocommit=1 inside a read-only transaction ends it on its replica
        }
        if (record && session.history.addCommand(packet, ok)) {
            log.info("session {}: more than max_sescmd_history={} session commands: history off, no new backend"
                    + " connections for this session", ctx.id(), cfg.maxSescmdHistory());
        }
    }

    /** COM_RESET_CONNECTION: to every backend, then the session forgets its state. */
    void resetConnection(Statement st) throws IOException {
        sessionCommand(st.packet(), false);
        session.sessionReset();
    }

    /** COM_PING, COM_STATISTICS: one backend answers; with none open, a ping is answered here. */
    void anyBackend(Statement st) throws IOException {
        List<RwsBackend> open = conns.all();
        RwsBackend b = session.master != null && !session.master.isClosed() ? session.master
                : open.isEmpty() ? null : open.get(0);
        if (b == null && st.command() == Commands.COM_PING) {
            ctx.sendToClient(OkPacket.simple(1, session.autocommit ? ServerStatus.AUTOCOMMIT : 0));
            return;
        }
        if (b == null) {
            b = conns.master();
            if (b == null) {
                b = conns.slave(cfg.maxSlaveReplicationLag());
            }
            if (b == null) {
                failures.noServer(st.packet());
                return;
            }
        }
        session.send(b, st.packet(), b == session.master ? TO_MASTER : TO_SLAVE);
    }
}
