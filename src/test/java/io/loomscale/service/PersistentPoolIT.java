package io.loomscale.service;

import io.loomscale.monitor.Server;
import io.loomscale.testing.InProcessProxy;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code persistpoolmax}: a backend connection outlives its session and serves the next session of
 * the same user, reset (no variables, no temporary tables); a server without a pool never reuses.
 */
class PersistentPoolIT {
    private static LoomScale proxy;
    private static int pooledPort;
    private static int plainPort;


    @BeforeAll
    static void start() throws Exception {
        TestCluster c = TestCluster.get();
        pooledPort = InProcessProxy.freePort();
        plainPort = InProcessProxy.freePort();
        String toml = """
                [loomscale]
                libdir = "target/no-lib"
                # Pooled connections are reused on the selector loop that owns them; with one
                # loop every session can take them (with N loops, sessions alternate loops).
                threads = 1
                [server.pooled]
                address = "127.0.0.1"
                port = %1$d
                persistpoolmax = 2
                persistmaxtime = "1h"
                [server.plain]
                address = "127.0.0.1"
                port = %1$d
                [service.pooled]
                router = "readconnroute"
                servers = ["pooled"]
                user = "loomscale"
                password = "loomscale"
                [service.plain]
                router = "readconnroute"
                servers = ["plain"]
                user = "loomscale"
                password = "loomscale"
                [listener.pooled]
                service = "pooled"
                address = "127.0.0.1"
                port = %2$d
                [listener.plain]
                service = "plain"
                address = "127.0.0.1"
                port = %3$d
                """.formatted(c.primaryPort(), pooledPort, plainPort);
        proxy = InProcessProxy.start(toml, "pool-it.toml");
    }

    /**
     * Sessions of the previous test may still be ending (their connections reach the pool after
     * the client closed): wait until none is left, then empty the pool.
     */
    @BeforeEach
    void emptyThePool() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (proxy.sessions().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, proxy.sessions().size(), "sessions of the previous test ended");
        proxy.pool().closeAll();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.stop(Duration.ofSeconds(1));
        }
    }

    /** Opens a session, records the backend thread id, leaves state behind, closes. */
    private static long sessionLeavingState(int port) throws Exception {
        try (Connection conn = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/test?user=app&password=app_pw");
             Statement st = conn.createStatement()) {
            st.execute("SET @left_behind = 42");
            st.execute("CREATE TEMPORARY TABLE pool_tmp (i INT)");
            try (ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void awaitPooled(Server s, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (proxy.pool().size(s) < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, proxy.pool().size(s), "pooled connections of " + s.name());
    }

    @Test
    void nextSessionReusesTheBackendConnectionReset() throws Exception {
        Server pooled = proxy.servers().get("pooled");
        long first = sessionLeavingState(pooledPort);
        awaitPooled(pooled, 1);
        try (Connection conn = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + pooledPort + "/test?user=app&password=app_pw");
             Statement st = conn.createStatement()) {
            assertEquals(0, proxy.pool().size(pooled), "taken from the pool");
            try (ResultSet rs = st.executeQuery("SELECT CONNECTION_ID(), @left_behind")) {
                rs.next();
                assertEquals(first, rs.getLong(1), "same backend thread");
                assertNull(rs.getObject(2), "user variables were reset");
            }
            st.execute("CREATE TEMPORARY TABLE pool_tmp (i INT)"); // would fail if the old one survived
            assertEquals(1, pooled.connections());
        }
        awaitPooled(pooled, 1);
        assertEquals(0, pooled.connections(), "pooled connections are not counted as active");
    }

    @Test
    void serverWithoutPoolNeverReuses() throws Exception {
        long a = sessionLeavingState(plainPort);
        Thread.sleep(200);
        long b = sessionLeavingState(plainPort);
        assertNotEquals(a, b);
        assertEquals(0, proxy.pool().size(proxy.servers().get("plain")));
    }

    @Test
    void anotherDatabaseGetsItsOwnConnection() throws Exception {
        Server pooled = proxy.servers().get("pooled");
        long first = sessionLeavingState(pooledPort);
        awaitPooled(pooled, 1);
        try (Connection conn = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + pooledPort + "/sbtest?user=app&password=app_pw");
             Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT CONNECTION_ID(), DATABASE()")) {
            rs.next();
            assertNotEquals(first, rs.getLong(1));
            assertEquals("sbtest", rs.getString(2));
        }
        assertTrue(proxy.pool().size(pooled) <= 2, "bounded by persistpoolmax");
    }
}
