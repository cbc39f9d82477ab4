package io.loomscale.monitor;

import io.loomscale.config.ConfigException;
import io.loomscale.config.ConfigLoader;
import io.loomscale.config.LoomScaleConfig;
import io.loomscale.config.MonitorConfig;
import io.loomscale.config.Params;
import io.loomscale.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MariaDbMonitor without a database: configuration, lifecycle, unreachable servers, maintenance. */
class MariaDbMonitorTest {

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static MonitorConfig parse(String moduleKeys) {
        String toml = """
                [server.s1]
                address = "127.0.0.1"
                port = 1
                [monitor.m]
                module = "mariadbmon"
                servers = ["s1"]
                user = "u"
                password = "p"
                monitor_interval = "100ms"
                """ + moduleKeys;
        LoomScaleConfig cfg = ConfigLoader.parse(toml, "test.toml");
        return cfg.monitors().get("m");
    }

    private static Server server(String name, int port) {
        return new Server(new ServerConfig(name, "127.0.0.1", port, 1, 0, Duration.ZERO), ServerState.UNKNOWN);
    }

    private static MariaDbMonitor monitor(List<Server> servers) {
        MonitorConfig c = new MonitorConfig("m", "mariadbmon", servers.stream().map(Server::name).toList(), "u", "p",
                Duration.ofMillis(100), Params.empty());
        return new MariaDbMonitor(c, servers);
    }

    @Test
    void defaultsAreMaxScale21s() {
        Map<String, Object> d = monitor(List.of(server("s1", 1))).diagnostics();
        assertEquals(3000L, d.get("backend_connect_timeout_ms"));
        assertEquals(3000L, d.get("backend_read_timeout_ms"));
        assertEquals(true, d.get("detect_stale_master"));
        assertEquals(true, d.get("detect_stale_slave"));
        assertEquals("Stopped", d.get("state"));
    }

    @Test
    void moduleKeysAreReadWithMaxScaleUnits() {
        MonitorConfig c = parse("""
                backend_connect_timeout = 5
                backend_read_timeout = "500ms"
                backend_write_timeout = 2
                detect_stale_master = false
                detect_stale_slave = false
                """);
        Map<String, Object> d = new MariaDbMonitor(c, List.of(server("s1", 1))).diagnostics();
        assertEquals(5000L, d.get("backend_connect_timeout_ms"));
        assertEquals(500L, d.get("backend_read_timeout_ms"));
        assertEquals(false, d.get("detect_stale_master"));
        assertEquals(false, d.get("detect_stale_slave"));
    }

    @Test
    void unknownKeyIsAConfigErrorNamingIt() {
        MonitorConfig c = parse("detect_replication_lag = true\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new MariaDbMonitor(c, List.of(server("s1", 1))));
        assertTrue(e.getMessage().contains("detect_replication_lag"), e.getMessage());
        assertTrue(e.getMessage().contains("detect_stale_master"), e.getMessage());
    }

    @Test
    void zeroTimeoutIsRejected() {
        MonitorConfig c = parse("backend_connect_timeout = \"0s\"\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new MariaDbMonitor(c, List.of(server("s1", 1))));
        assertTrue(e.getMessage().contains("backend_connect_timeout"), e.getMessage());
    }

    @Test
    void wrongTypeIsRejected() {
        MonitorConfig c = parse("detect_stale_slave = \"yes\"\n");
        assertThrows(ConfigException.class, () -> new MariaDbMonitor(c, List.of(server("s1", 1))));
    }

    @Test
    void unreachableServerIsDownAndStopIsQuick() throws Exception {
        Server s = server("s1", closedPort());
        MariaDbMonitor m = monitor(List.of(s));
        m.start();
        try {
            assertTrue(m.awaitTick(10_000));
            assertFalse(s.state().isRunning());
            assertEquals("Down", s.state().describe());
            assertFalse(s.state().lastError().isEmpty());
            assertEquals("Running", m.diagnostics().get("state"));
        } finally {
            long t0 = System.nanoTime();
            m.stop();
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
        }
        assertEquals("Stopped", m.diagnostics().get("state"));
        assertFalse(m.awaitTick(200), "no ticks after stop");
    }

    @Test
    void awaitTickWaitsForATickThatStartsAfterTheCall() throws Exception {
        MariaDbMonitor m = monitor(List.of(server("s1", closedPort())));
        assertFalse(m.awaitTick(150), "not started");
        m.start();
        try {
            assertTrue(m.awaitTick(10_000));
            long ticks = (Long) m.diagnostics().get("ticks");
            assertTrue(m.awaitTick(10_000));
            assertTrue((Long) m.diagnostics().get("ticks") > ticks);
        } finally {
            m.stop();
        }
    }

    @Test
    void maintenanceFlagIsPublishedAtOnceAndKeptByTicks() throws Exception {
        Server s1 = server("s1", closedPort());
        Server s2 = server("s2", closedPort());
        MariaDbMonitor m = monitor(List.of(s1, s2));
        m.setMaintenance("s2", true);
        assertTrue(s2.state().inMaintenance());
        m.start();
        try {
            assertTrue(m.awaitTick(10_000));
            assertTrue(s2.state().inMaintenance());
            assertEquals("not yet monitored", s2.state().lastError(), "not probed while in maintenance");
            assertEquals("Down", s1.state().describe());
            m.setMaintenance("s2", false);
            assertFalse(s2.state().inMaintenance());
            assertTrue(m.awaitTick(10_000));
            assertFalse(s2.state().inMaintenance());
            assertFalse(s2.state().lastError().equals("not yet monitored"));
        } finally {
            m.stop();
        }
    }

    @Test
    void maintenanceOfAnUnknownServerIsRefused() {
        MariaDbMonitor m = monitor(List.of(server("s1", 1)));
        assertThrows(IllegalArgumentException.class, () -> m.setMaintenance("nope", true));
    }

    @Test
    void startAndStopAreIdempotent() throws Exception {
        MariaDbMonitor m = monitor(List.of(server("s1", closedPort())));
        m.stop();
        m.start();
        m.start();
        assertTrue(m.awaitTick(10_000));
        m.stop();
        m.stop();
        m.start();
        try {
            assertTrue(m.awaitTick(10_000), "restartable");
        } finally {
            m.stop();
        }
    }
}
