package io.loomscale.testing;

import io.loomscale.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The harness itself: one cluster per JVM, the ports it promises, replication it waits for. */
class TestClusterIT {

    @Test
    void isASingletonWithThePromisedPorts() {
        TestCluster c = TestCluster.get();
        assertSame(c, TestCluster.get());
        assertEquals(TestCluster.BASE_PORT, c.primaryPort());
        assertEquals(List.of(TestCluster.BASE_PORT + 1, TestCluster.BASE_PORT + 2), c.replicaPorts());
        assertEquals("127.0.0.1", c.host());
        List<ServerConfig> cfgs = c.serverConfigs();
        assertEquals(List.of("server1", "server2", "server3"), cfgs.stream().map(ServerConfig::name).toList());
        assertEquals(c.ports(), cfgs.stream().map(ServerConfig::port).toList());
    }

    @Test
    void serversAreOnePrimaryAndTwoReadOnlyReplicas() {
        TestCluster c = TestCluster.get();
        assertEquals("0", c.rootScalar(c.primaryPort(), "SELECT @@read_only"));
        for (int port : c.replicaPorts()) {
            assertEquals("1", c.rootScalar(port, "SELECT @@read_only"));
        }
        assertEquals("app@%", c.sql(c.primaryPort(), TestCluster.APP_USER, TestCluster.APP_PASSWORD,
                "SELECT CURRENT_USER()").rows().get(0)[0]);
    }

    @Test
    void waitForReplicationSeesAWriteOnEveryReplica() {
        TestCluster c = TestCluster.get();
        String table = "test.harness_" + Long.toHexString(System.nanoTime());
        c.rootSql(c.primaryPort(), "CREATE TABLE " + table + " (id INT PRIMARY KEY)");
        try {
            c.rootSql(c.primaryPort(), "INSERT INTO " + table + " VALUES (1), (2), (3)");
            c.waitForReplication();
            for (int port : c.replicaPorts()) {
                assertEquals("3", c.rootScalar(port, "SELECT COUNT(*) FROM " + table));
            }
        } finally {
            c.rootSql(c.primaryPort(), "DROP TABLE IF EXISTS " + table);
        }
    }
}
