package io.loomscale.filter;

import io.loomscale.session.BackendConnection;
import io.loomscale.session.Downstream;
import io.loomscale.session.Statement;

import java.io.IOException;
import java.util.List;

/**
 * One session's filters in config order, ending in its router session. A statement enters at the
 * first filter; each filter's {@code next} is the rest of the chain. Continuation packets skip the
 * filters (they are bytes of a command a filter already saw). Errors and backends are the
 * router's business and go straight to it.
 */
public final class FilterChain implements Downstream {
    private final FilterSession[] filters;
    private final Downstream router;
    private final Downstream[] nexts;

    public FilterChain(List<FilterSession> filters, Downstream router) {
        this.filters = filters.toArray(new FilterSession[0]);
        this.router = router;
        this.nexts = new Downstream[this.filters.length];
        for (int i = this.filters.length - 1; i >= 0; i--) {
            nexts[i] = i == this.filters.length - 1 ? router : new Link(i + 1);
        }
    }

    /** The chain's own entry when there are filters, or the router itself when there are none. */
    public static Downstream of(List<FilterSession> filters, Downstream router) {
        return filters.isEmpty() ? router : new FilterChain(filters, router);
    }

    @Override
    public void route(Statement statement) throws IOException {
        if (statement.isContinuation()) {
            router.route(statement);
        } else {
            filters[0].onStatement(statement, nexts[0]);
        }
    }

    @Override
    public boolean handleError(BackendConnection backend, IOException cause) {
        return router.handleError(backend, cause);
    }

    /**
     * The router's fast path for the commands every filter lets pass untouched
     * ({@link FilterSession#passesUntouched}): with qlafilter, regexfilter and topfilter, which
     * look only at COM_QUERY and COM_STMT_PREPARE, prepared statements' EXECUTEs still go by the
     * selector thread. Measured reason: without it, a chain of those three cost every statement
     * a hand-off to the session (sysbench oltp_read_only through readwritesplit: 0.83x the
     * throughput of the same service without filters). Null when the router has no fast path.
     */
    @Override
    public io.loomscale.session.FastPath fastPath() {
        io.loomscale.session.FastPath routerPath = router.fastPath();
        if (routerPath == null) {
            return null;
        }
        return packet -> {
            if (packet.length > io.loomscale.protocol.Packets.HEADER && packet[3] == 0) {
                for (FilterSession f : filters) {
                    if (!f.passesUntouched(packet)) {
                        return false;
                    }
                }
            }
            return routerPath.tryRoute(packet);
        };
    }

    @Override
    public List<BackendConnection> backends() {
        return router.backends();
    }

    @Override
    public void sessionReset() {
        router.sessionReset();
    }

    @Override
    public void close() {
        for (FilterSession f : filters) {
            try {
                f.close();
            } catch (RuntimeException ignored) {
                // one filter's failure must not keep the others or the router open
            }
        }
        router.close();
    }

    /** The rest of the chain from filter {@code index}. */
    private final class Link implements Downstream {
        private final int index;

        Link(int index) {
            this.index = index;
        }

        @Override
        public void route(Statement statement) throws IOException {
            filters[index].onStatement(statement, nexts[index]);
        }

        @Override
        public boolean handleError(BackendConnection backend, IOException cause) {
            return router.handleError(backend, cause);
        }

        @Override
        public List<BackendConnection> backends() {
            return router.backends();
        }

        @Override
        public void close() {
            FilterChain.this.close();
        }
    }
}
