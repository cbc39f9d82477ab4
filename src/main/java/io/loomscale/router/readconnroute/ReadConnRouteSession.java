package io.loomscale.router.readconnroute;

import io.loomscale.monitor.ServerState;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.router.RouterSession;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.BackendException;
import io.loomscale.session.FastPath;
import io.loomscale.session.Statement;

import java.io.IOException;
import java.util.List;

/**
 * One session's fixed backend. Every packet goes there; replies stream back without waking the
 * session. Before each command it checks (one volatile read) that the server is still eligible.
 */
final class ReadConnRouteSession implements RouterSession {
    private final BackendConnection backend;
    private final List<BackendConnection> list;
    private final RoleMask roles;
    private final boolean masterFallback;

    ReadConnRouteSession(BackendConnection backend, RoleMask roles, boolean masterFallback) {
        this.backend = backend;
        this.list = List.of(backend);
        this.roles = roles;
        this.masterFallback = masterFallback;
    }

    /** Plain forwarding from the selector thread while the server stays eligible; see {@link FastPath}. */
    @Override
    public FastPath fastPath() {
        return this::tryRoute;
    }

    private boolean tryRoute(byte[] packet) {
        if ((packet[3] & 0xff) != 0 || backend.endpoint().tracker().isReceivingFile()) {
            return backend.endpoint().tryForward(packet, 0); // more of the last command, or LOAD DATA file data
        }
        ServerState state = backend.server().state();
        if (!(masterFallback ? state.isMaster() || roles.matches(state) : roles.matches(state))) {
            return false; // the session ends it with the error
        }
        int kind = ReplyTracker.kindOf(packet);
        if (!backend.endpoint().tryForward(packet, kind == 0 ? 0 : kind | ReplyTracker.FORWARD)) {
            return false;
        }
        backend.server().statementRouted();
        return true;
    }

    @Override
    public void route(Statement st) throws IOException {
        if (st.isContinuation()) {
            backend.endpoint().sendContinuation(st.packet());
            return;
        }
        ServerState state = backend.server().state();
        boolean eligible = masterFallback ? state.isMaster() || roles.matches(state) : roles.matches(state);
        if (!eligible) {
            throw new BackendException("server " + backend.server().name() + " is now " + state.describe(),
                    new ErrPacket(ErrPacket.CR_SERVER_LOST, "HY000", "Lost connection to backend server "
                            + backend.server().name() + ": it is now " + state.describe()));
        }
        int kind = st.replyKind();
        backend.send(st.packet(), kind == 0 ? 0 : kind | ReplyTracker.FORWARD);
    }

    @Override
    public boolean handleError(BackendConnection failed, IOException cause) {
        return false; // the one backend is gone: the session ends
    }

    @Override
    public List<BackendConnection> backends() {
        return list;
    }

    @Override
    public void close() {
        backend.close();
    }
}
