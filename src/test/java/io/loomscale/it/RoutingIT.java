package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * readconnroute's choice of server: the {@code write} listener reaches the primary, the
 * {@code read} listener a replica, and sessions on the read listener are spread over both
 * replicas by connection count (equal weights).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RoutingIT {
    private static TestProxy proxy;
    private static String primaryId;
    private static String replica1Id;
    private static String replica2Id;

    @BeforeAll
    static void setUp() {
        TestCluster cluster = TestCluster.get();
        proxy = TestProxy.shared();
        primaryId = cluster.rootScalar(cluster.primaryPort(), "SELECT @@server_id");
        replica1Id = cluster.rootScalar(cluster.replicaPorts().get(0), "SELECT @@server_id");
        replica2Id = cluster.rootScalar(cluster.replicaPorts().get(1), "SELECT @@server_id");
    }

    @Test
    void writeListenerReachesThePrimary() throws SQLException {
        try (Connection c = Db.app(proxy.writePort())) {
            assertEquals(primaryId, Db.scalar(c, "SELECT @@server_id"));
            assertEquals("0", Db.scalar(c, "SELECT @@read_only"));
        }
    }

    @Test
    void readListenerReachesAReplica() throws SQLException {
        try (Connection c = Db.app(proxy.readPort())) {
            String id = Db.scalar(c, "SELECT @@server_id");
            assertTrue(id.equals(replica1Id) || id.equals(replica2Id), "server_id " + id + " is not a replica's");
            assertEquals("1", Db.scalar(c, "SELECT @@read_only"));
        }
    }

    @Test
    void readSessionsAreSpreadOverBothReplicas() throws SQLException {
        int before2 = proxy.server("server2").connections();
        int before3 = proxy.server("server3").connections();
        List<Connection> open = new ArrayList<>();
        try {
            Map<String, Integer> byServer = new TreeMap<>();
            for (int i = 0; i < 10; i++) {
                Connection c = Db.app(proxy.readPort());
                open.add(c);
                byServer.merge(Db.scalar(c, "SELECT @@server_id"), 1, Integer::sum);
            }
            assertEquals(10, byServer.getOrDefault(replica1Id, 0) + byServer.getOrDefault(replica2Id, 0),
                    "every session on a replica: " + byServer);
            assertTrue(byServer.getOrDefault(replica1Id, 0) >= 4 && byServer.getOrDefault(replica2Id, 0) >= 4,
                    "10 sessions over two equal replicas: " + byServer);
            assertEquals(byServer.getOrDefault(replica1Id, 0), proxy.server("server2").connections() - before2,
                    "server2's connection count");
            assertEquals(byServer.getOrDefault(replica2Id, 0), proxy.server("server3").connections() - before3,
                    "server3's connection count");
        } finally {
            for (Connection c : open) {
                c.close();
            }
        }
        assertEquals(before2, TestProxy.awaitAtMost(() -> proxy.server("server2").connections(), before2,
                Duration.ofSeconds(5)), "server2's count after the sessions closed");
        assertEquals(before3, TestProxy.awaitAtMost(() -> proxy.server("server3").connections(), before3,
                Duration.ofSeconds(5)), "server3's count after the sessions closed");
    }
}
