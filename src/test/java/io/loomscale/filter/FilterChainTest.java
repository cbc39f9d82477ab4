package io.loomscale.filter;

import io.loomscale.protocol.PacketBuilder;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.Downstream;
import io.loomscale.session.Statement;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class FilterChainTest {

    /** Stands in for the router session: records what reaches it. */
    static final class Recorder implements Downstream {
        final List<String> routed = new ArrayList<>();
        boolean closed;

        @Override
        public void route(Statement st) {
            routed.add(st.isContinuation() ? "cont" : st.sql());
        }

        @Override
        public boolean handleError(BackendConnection backend, IOException cause) {
            return true;
        }

        @Override
        public List<BackendConnection> backends() {
            return List.of();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static Statement query(String sql) {
        return new Statement(new PacketBuilder().int1(3).string(sql).build(0));
    }

    @Test
    void filtersSeeStatementsInConfigOrderAndMayRewrite() throws IOException {
        List<String> seen = new ArrayList<>();
        FilterSession first = (st, next) -> {
            seen.add("first:" + st.sql());
            st.packet(new PacketBuilder().int1(3).string(st.sql() + " /* a */").build(0));
            next.route(st);
        };
        FilterSession second = (st, next) -> {
            seen.add("second:" + st.sql());
            next.route(st);
        };
        Recorder router = new Recorder();
        Downstream chain = FilterChain.of(List.of(first, second), router);
        chain.route(query("SELECT 1"));
        assertEquals(List.of("first:SELECT 1", "second:SELECT 1 /* a */"), seen);
        assertEquals(List.of("SELECT 1 /* a */"), router.routed);
    }

    @Test
    void aFilterCanStopAStatement() throws IOException {
        FilterSession block = (st, next) -> {
            if (!st.sql().startsWith("DROP")) {
                next.route(st);
            }
        };
        Recorder router = new Recorder();
        Downstream chain = FilterChain.of(List.of(block), router);
        chain.route(query("DROP TABLE t"));
        chain.route(query("SELECT 1"));
        assertEquals(List.of("SELECT 1"), router.routed);
    }

    @Test
    void continuationsBypassFilters() throws IOException {
        List<String> seen = new ArrayList<>();
        FilterSession f = (st, next) -> {
            seen.add("filter");
            next.route(st);
        };
        Recorder router = new Recorder();
        Downstream chain = FilterChain.of(List.of(f), router);
        chain.route(new Statement(new PacketBuilder().bytes("1,a\n".getBytes()).build(2)));
        assertEquals(List.of(), seen);
        assertEquals(List.of("cont"), router.routed);
    }

    @Test
    void noFiltersMeansTheRouterItself() {
        Recorder router = new Recorder();
        assertSame(router, FilterChain.of(List.of(), router));
    }

    @Test
    void closeClosesFiltersAndRouter() {
        List<String> closed = new ArrayList<>();
        FilterSession f = new FilterSession() {
            @Override
            public void onStatement(Statement statement, Downstream next) {
            }

            @Override
            public void close() {
                closed.add("f");
            }
        };
        Recorder router = new Recorder();
        FilterChain.of(List.of(f), router).close();
        assertEquals(List.of("f"), closed);
        assertEquals(true, router.closed);
    }
}
