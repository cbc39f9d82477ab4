package io.loomscale.service;

import io.loomscale.net.EventLoop;
import io.loomscale.testing.CountingFilterModule;
import io.loomscale.testing.InProcessProxy;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-offs per statement, counted by the selector loops: a filter-less readconnroute session
 * forwards plain statements on the selector thread (none), a session with a filter hands each
 * statement to its virtual thread (one), and the filter really sees and can rewrite them.
 */
class HandoffIT {
    private static LoomScale proxy;
    private static int plainPort;
    private static int filteredPort;


    @BeforeAll
    static void start() throws Exception {
        TestCluster c = TestCluster.get();
        plainPort = InProcessProxy.freePort();
        filteredPort = InProcessProxy.freePort();
        String toml = """
                [loomscale]
                libdir = "target/no-lib"
                [server.server1]
                address = "127.0.0.1"
                port = %d
                [monitor.mon]
                module = "mariadbmon"
                servers = ["server1"]
                user = "loomscale"
                password = "loomscale"
                monitor_interval = "500ms"
                [filter.count]
                module = "test_counting"
                rewrite_from = "SELECT 'original'"
                rewrite_to = "SELECT 'rewritten'"
                [service.plain]
                router = "readconnroute"
                router_options = "master"
                cluster = "mon"
                user = "loomscale"
                password = "loomscale"
                [service.filtered]
                router = "readconnroute"
                router_options = "master"
                cluster = "mon"
                user = "loomscale"
                password = "loomscale"
                filters = ["count"]
                [listener.plain]
                service = "plain"
                address = "127.0.0.1"
                port = %d
                [listener.filtered]
                service = "filtered"
                address = "127.0.0.1"
                port = %d
                """.formatted(c.primaryPort(), plainPort, filteredPort);
        proxy = InProcessProxy.start(toml, "handoff-it.toml");
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.stop(Duration.ofSeconds(1));
        }
    }

    private static long handoffs() {
        long n = 0;
        for (EventLoop l : proxy.loops()) {
            n += l.handoffs();
        }
        return n;
    }

    /** Runs 200 prepared point selects and returns the hand-offs they caused. */
    private static long handoffsFor200Statements(int port) throws Exception {
        try (Connection conn = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port
                + "/test?user=app&password=app_pw&useServerPrepStmts=true");
             PreparedStatement ps = conn.prepareStatement("SELECT ? + 1")) {
            ps.setInt(1, 1);
            ps.executeQuery().close(); // connection set-up statements happen before counting
            long before = handoffs();
            for (int i = 0; i < 200; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(i + 1, rs.getInt(1));
                }
            }
            return handoffs() - before;
        }
    }

    @Test
    void plainReadconnrouteStatementsCostNoHandoff() throws Exception {
        long n = handoffsFor200Statements(plainPort);
        assertTrue(n < 10, "hand-offs for 200 statements without filters: " + n);
    }

    @Test
    void filteredStatementsGoThroughTheSessionAndTheFilter() throws Exception {
        long seenBefore = CountingFilterModule.SEEN.get();
        long n = handoffsFor200Statements(filteredPort);
        assertTrue(n >= 200, "every statement is handed to the session: " + n);
        assertTrue(CountingFilterModule.SEEN.get() - seenBefore >= 200, "the filter saw them");
        try (Connection conn = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + filteredPort
                + "/test?user=app&password=app_pw");
             Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT 'original'")) {
            assertTrue(rs.next());
            assertEquals("rewritten", rs.getString(1));
        }
    }
}
