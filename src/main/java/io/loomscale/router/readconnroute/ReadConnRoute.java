package io.loomscale.router.readconnroute;

import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.router.Router;
import io.loomscale.router.RouterSession;
import io.loomscale.session.BackendException;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.SessionContext;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * readconnroute: each new session goes to the eligible server with the fewest connections
 * relative to its {@code weight}, and stays there. If that server stops being eligible (down,
 * maintenance, lost its role), the session is ended with an error; new sessions avoid it. With
 * {@code slave} and no slave available, the master is used, as MaxScale does.
 */
final class ReadConnRoute implements Router {
    private final String service;
    private final RoleMask roles;
    private final Supplier<List<Server>> servers;
    private final AtomicLong sessions = new AtomicLong();

    ReadConnRoute(String service, RoleMask roles, Supplier<List<Server>> servers) {
        this.service = service;
        this.roles = roles;
        this.servers = servers;
    }

    /** The server a new session should use, or null. Pure function of the servers' states and counts. */
    static Server choose(List<Server> candidates, RoleMask roles) {
        Server best = pick(candidates, roles, false);
        if (best == null && roles.slave() && !roles.master()) {
            best = pick(candidates, roles, true);
        }
        return best;
    }

    private static Server pick(List<Server> candidates, RoleMask roles, boolean masterFallback) {
        Server best = pick(candidates, roles, masterFallback, false);
        // A weight of 0 means: only when no weighted server is usable.
        return best != null ? best : pick(candidates, roles, masterFallback, true);
    }

    private static Server pick(List<Server> candidates, RoleMask roles, boolean masterFallback, boolean zeroWeight) {
        Server best = null;
        double bestLoad = Double.MAX_VALUE;
        for (Server s : candidates) {
            ServerState st = s.state();
            boolean ok = masterFallback ? st.isMaster() && !st.inMaintenance() : roles.matches(st);
            if (!ok || st.isDraining() || (s.weight() <= 0) != zeroWeight) {
                continue;
            }
            double load = (s.connections() + 1.0) / Math.max(s.weight(), 1);
            if (load < bestLoad) {
                best = s;
                bestLoad = load;
            }
        }
        return best;
    }

    @Override
    public RouterSession newSession(SessionContext ctx) throws IOException {
        Server s = choose(servers.get(), roles);
        if (s == null) {
            throw new BackendException("no server of service '" + service + "' matches router_options=" + roles.text(),
                    new ErrPacket(ErrPacket.ER_UNKNOWN_ERROR, "HY000", "LoomScale: no " + roles.text()
                            + " server is available for service '" + service + "'"));
        }
        BackendConnection b = ctx.connect(s);
        sessions.incrementAndGet();
        return new ReadConnRouteSession(b, roles, s.state().isMaster() && !roles.running() && !roles.master());
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("router_options", roles.text());
        m.put("sessions_created", sessions.get());
        return m;
    }
}
