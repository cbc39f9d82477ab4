package io.loomscale.monitor;

import io.loomscale.config.MonitorConfig;
import io.loomscale.config.Params;
import io.loomscale.config.ServerConfig;
import io.loomscale.protocol.client.SqlConnection;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MariaDbMonitor against the real GTID cluster. */
class MariaDbMonitorIT {
    private static final long TICK_WAIT_MS = 15_000;

    private static TestCluster cluster;
    private List<Server> servers;
    private MariaDbMonitor monitor;

    @BeforeAll
    static void cluster() {
        cluster = TestCluster.get();
    }

    @BeforeEach
    void startMonitor() throws IOException {
        servers = new ArrayList<>();
        for (ServerConfig c : cluster.serverConfigs()) {
            servers.add(new Server(c, ServerState.UNKNOWN));
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        servers.add(new Server(new ServerConfig("server4", cluster.host(), closed, 1, 0, Duration.ZERO),
                ServerState.UNKNOWN));
        MonitorConfig config = new MonitorConfig("it-monitor", "mariadbmon",
                servers.stream().map(Server::name).toList(), TestCluster.SERVICE_USER, TestCluster.SERVICE_PASSWORD,
                Duration.ofMillis(200), Params.empty());
        monitor = new MariaDbMonitor(config, servers);
        monitor.start();
    }

    @AfterEach
    void stopMonitor() {
        monitor.stop();
    }

    private Server server(String name) {
        return servers.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** Waits (ticking) until {@code server}'s state passes {@code check}. */
    private void awaitState(String server, Predicate<ServerState> check, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!check.test(server(server).state())) {
            assertTrue(System.nanoTime() < deadline, () -> server + " never became " + what + "; it is "
                    + server(server).state() + "; " + monitor.diagnostics());
            assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        }
    }

    @Test
    void findsPrimaryReplicasAndADownServer() throws Exception {
        assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        ServerState primary = server("server1").state();
        assertEquals("Master, Running", primary.describe(), () -> String.valueOf(monitor.diagnostics()));
        assertEquals(1, primary.serverId());
        assertFalse(primary.readOnly());
        assertTrue(primary.version().contains("MariaDB"), primary.version());
        assertFalse(primary.gtidCurrentPos().isEmpty());
        for (String r : List.of("server2", "server3")) {
            ServerState s = server(r).state();
            assertEquals("Slave, Running", s.describe(), () -> r + ": " + monitor.diagnostics());
            assertTrue(s.lagSeconds() >= 0, () -> r + " lag " + s.lagSeconds());
            assertTrue(s.readOnly());
        }
        ServerState down = server("server4").state();
        assertEquals("Down", down.describe());
        assertTrue(down.lastError().contains("refused"), down.lastError());
    }

    @Test
    void maintenanceFlagIsKeptAcrossTicks() throws Exception {
        assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        monitor.setMaintenance("server2", true);
        assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        ServerState s = server("server2").state();
        assertTrue(s.inMaintenance());
        assertEquals("Maintenance, Slave, Running", s.describe());
        assertEquals("Master, Running", server("server1").state().describe());
        monitor.setMaintenance("server2", false);
        assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        assertEquals("Slave, Running", server("server2").state().describe());
    }

    @Test
    void replicaWithStoppedIoThreadLosesSlaveAndGetsItBack() throws Exception {
        assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        int port = cluster.replicaPorts().get(1);
        cluster.rootSql(port, "STOP SLAVE IO_THREAD");
        try {
            awaitState("server3", st -> st.isRunning() && !st.isSlave(), "Running without Slave");
            assertEquals("Master, Running", server("server1").state().describe(), "server2 is still its slave");
        } finally {
            cluster.rootSql(port, "START SLAVE IO_THREAD");
        }
        awaitState("server3", ServerState::isSlave, "Slave");
    }

    @Test
    void reconnectsAfterItsConnectionIsKilled() throws Exception {
        assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        int port = cluster.replicaPorts().get(0);
        SqlConnection.Result r = cluster.rootSql(port,
                "SELECT id FROM information_schema.processlist WHERE user = '" + TestCluster.SERVICE_USER + "'");
        assertFalse(r.rows().isEmpty(), "the monitor keeps a connection open");
        for (String[] row : r.rows()) {
            cluster.rootSql(port, "KILL CONNECTION " + row[0]);
        }
        assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        assertEquals("Slave, Running", server("server2").state().describe(),
                () -> "a killed idle connection must not make the server Down: " + monitor.diagnostics());
    }

    @Test
    void diagnosticsDescribeEachServer() throws Exception {
        assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        Map<String, Object> d = monitor.diagnostics();
        assertEquals("Running", d.get("state"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) d.get("servers");
        assertEquals(4, list.size());
        assertEquals("Master, Running", list.get(0).get("status"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> links = (List<Map<String, Object>>) list.get(1).get("slave_connections");
        assertEquals(1, links.size());
        assertEquals("127.0.0.1:" + cluster.primaryPort(), links.get(0).get("master"));
        assertEquals("Yes", links.get(0).get("slave_io_running"));
    }

    @Test
    void stoppedReplicaIsDownAndComesBackAsSlave() throws Exception {
        assertTrue(monitor.awaitTick(TICK_WAIT_MS));
        cluster.stopNode(3);
        try {
            awaitState("server3", st -> !st.isRunning(), "Down");
            assertEquals("Master, Running", server("server1").state().describe());
            assertEquals("Slave, Running", server("server2").state().describe());
        } finally {
            cluster.startNode(3);
        }
        awaitState("server3", ServerState::isSlave, "Slave");
    }

    @Test
    void stoppedPrimaryIsDownWhileItsReplicasStayStaleSlaves() throws Exception {
        awaitState("server2", ServerState::isSlave, "Slave");
        awaitState("server3", ServerState::isSlave, "Slave");
        cluster.stopNode(1);
        try {
            awaitState("server1", st -> !st.isRunning(), "Down");
            assertEquals("Slave, Running", server("server2").state().describe(), "detect_stale_slave");
            assertEquals("Slave, Running", server("server3").state().describe(), "detect_stale_slave");
        } finally {
            cluster.startNode(1);
        }
        awaitState("server1", ServerState::isMaster, "Master");
        cluster.waitForReplication();
    }
}
