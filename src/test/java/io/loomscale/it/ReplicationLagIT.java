package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * readwritesplit with a replica that really lags: replica2 applies its events 30 seconds late
 * ({@code CHANGE MASTER TO MASTER_DELAY=30}), so after a write its {@code Seconds_Behind_Master}
 * grows. On the high-availability tests' own cluster ({@link HaCluster}), since this changes
 * replication.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationLagIT {
    private static TestProxy proxy;

    @BeforeAll
    static void laggingReplica() throws Exception {
        TestCluster.get();
        HaCluster.fresh();
        try (Connection r2 = HaCluster.root(3)) {
            Db.exec(r2, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 30", "START SLAVE");
        }
        try (Connection p = HaCluster.root(1)) {
            Db.exec(p, "CREATE TABLE test.lag (id INT PRIMARY KEY, v INT)", "INSERT INTO test.lag VALUES (1, 1)");
        }
        String monitor = "[monitor.lagmon]\nmodule = \"mariadbmon\"\nservers = [\"server1\", \"server2\", \"server3\"]\n"
                + TestCluster.serviceCredentialsToml()
                + "monitor_interval = \"300ms\"\n\n";
        String credentials = TestCluster.serviceCredentialsToml();
        proxy = TestProxy.start("replication-lag", HaCluster.servers() + monitor
                + "[service.limited]\nrouter = \"readwritesplit\"\ncluster = \"lagmon\"\n" + credentials
                + "max_slave_replication_lag = 10\n\n"
                + "[service.behind]\nrouter = \"readwritesplit\"\ncluster = \"lagmon\"\n" + credentials
                + "slave_selection_criteria = \"LEAST_BEHIND_MASTER\"\n\n"
                + TestProxy.listener("limited", "limited", TestProxy.freePort())
                + TestProxy.listener("behind", "behind", TestProxy.freePort()));
        // Writes keep coming, so the delayed replica's Seconds_Behind_Master climbs past 10.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection p = HaCluster.root(1)) {
            int i = 0;
            while (proxy.server("server3").state().lagSeconds() <= 12) {
                Db.exec(p, "UPDATE test.lag SET v = " + (++i) + " WHERE id = 1");
                Thread.sleep(200);
                assertTrue(System.nanoTime() < deadline, "server3's lag never passed 12 s: "
                        + proxy.server("server3").state());
            }
        }
        assertTrue(proxy.server("server3").state().isSlave(), "a lagging replica is still a replica");
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        HaCluster.stop();
    }

    /** Where 40 autocommit reads through {@code listener} ran, by @@server_id. */
    private static Map<String, Integer> readsBy(String listener) throws Exception {
        Map<String, Integer> where = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            try (Connection c = Db.app(proxy.port(listener))) {
                where.merge(Db.scalar(c, "SELECT @@server_id"), 1, Integer::sum);
            }
        }
        return where;
    }

    @Test
    @Order(1)
    void aReplicaBehindMaxSlaveReplicationLagGetsNoReads() throws Exception {
        Map<String, Integer> where = readsBy("limited");
        assertEquals(Map.of("2", 40), where, "reads by server_id (server3 lags "
                + proxy.server("server3").state().lagSeconds() + " s)");
    }

    @Test
    @Order(2)
    void leastBehindMasterPrefersTheReplicaThatLagsLess() throws Exception {
        Map<String, Integer> where = readsBy("behind");
        assertEquals(Map.of("2", 40), where, "reads by server_id");
    }

    @Test
    @Order(3) // last: it ends the lag
    void aReplicaThatCatchesUpGetsReadsAgain() throws Exception {
        try (Connection r2 = HaCluster.root(3)) {
            Db.exec(r2, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 0", "START SLAVE");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (proxy.server("server3").state().lagSeconds() != 0 || !proxy.server("server3").state().isSlave()) {
            assertTrue(System.nanoTime() < deadline, "server3 did not catch up: " + proxy.server("server3").state());
            Thread.sleep(100);
        }
        Map<String, Integer> where = readsBy("limited");
        assertTrue(where.getOrDefault("3", 0) > 0 && where.getOrDefault("2", 0) > 0, "reads spread again: " + where);
    }
}
