package io.loomscale.it;

import io.loomscale.monitor.Monitor;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failover, switchover, rejoin and cooperative monitoring against a real semi-synchronous
 * cluster of its own ({@link HaCluster}, recreated for each test), under a load like sysbench
 * {@code oltp_read_write} through readwritesplit with {@code transaction_replay} (which turns on
 * {@code delayed_retry}). What a test measures (seconds without commits, errors by code) is
 * printed, so the numbers are in the test log.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HighAvailabilityIT {
    private static final int WRITERS = 16;
    private static final int READERS = 2;
    private static final int INTERVAL_MS = 500;
    private static final int FAILCOUNT = 3;

    private final List<TestProxy> proxies = new ArrayList<>();

    @BeforeEach
    void freshCluster() throws Exception {
        TestCluster.get(); // not used, but its start also checks the installation
        HaCluster.fresh();
        try (Connection c = HaCluster.root(1)) {
            OltpLoad.prepare(c, WRITERS);
        }
    }

    @AfterEach
    void stopProxies() {
        for (TestProxy p : proxies) {
            p.close();
        }
        proxies.clear();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        HaCluster.stop();
    }

    private static String config(String monitorExtra) {
        return HaCluster.servers() + "[monitor.hamon]\nmodule = \"mariadbmon\"\n"
                + "servers = [\"server1\", \"server2\", \"server3\"]\n"
                + TestCluster.serviceCredentialsToml()
                + "monitor_interval = \"" + INTERVAL_MS + "ms\"\nbackend_connect_timeout = 1\nbackend_read_timeout = 2\n"
                + "auto_failover = true\nauto_rejoin = true\nfailcount = " + FAILCOUNT + "\n"
                + "replication_user = \"repl\"\nreplication_password = \"repl\"\n" + monitorExtra + "\n"
                + "[service.rws]\nrouter = \"readwritesplit\"\ncluster = \"hamon\"\nuser = \"" + TestCluster.SERVICE_USER
                + "\"\npassword = \"" + TestCluster.SERVICE_PASSWORD + "\"\ntransaction_replay = true\n"
                + "delayed_retry_timeout = 20\n\n" + TestProxy.listener("rws", "rws", TestProxy.freePort());
    }

    private TestProxy proxy(String name, String monitorExtra) {
        TestProxy p = TestProxy.start(name, config(monitorExtra));
        proxies.add(p);
        awaitTrue("server1 primary, 2 replicas", Duration.ofSeconds(20), () -> p.server("server1").state().isMaster()
                && p.server("server2").state().isSlave() && p.server("server3").state().isSlave());
        return p;
    }

    private static Monitor monitor(TestProxy p) {
        return p.runtime().monitors().get("hamon");
    }

    private static int primaryIndex(TestProxy p) {
        for (int n = 1; n <= 3; n++) {
            if (p.server("server" + n).state().isMaster()) {
                return n;
            }
        }
        return -1;
    }

    @Test
    void killingThePrimaryUnderLoadLosesNoCommitAndTheOldPrimaryRejoins() throws Exception {
        TestProxy p = proxy("ha-failover", "");
        long killedAt;
        long end;
        try (OltpLoad load = new OltpLoad(p.port("rws"), WRITERS, READERS)) {
            load.start();
            Thread.sleep(3000);
            long before = load.committed.size();
            assertTrue(before > 50, "the load runs before the kill: " + before + " commits");
            HaCluster.kill(1);
            killedAt = System.nanoTime();
            awaitTrue("a new primary", Duration.ofSeconds(30), () -> primaryIndex(p) > 1);
            Thread.sleep(4000);
            end = System.nanoTime();
            load.close();
            long gap = load.longestGapMillis(killedAt, end);
            int primary = primaryIndex(p);
            Set<String> lost;
            try (Connection c = HaCluster.root(primary)) {
                lost = load.lost(c);
            }
            System.err.printf("[HighAvailabilityIT] failover: %d ms without commits after kill -9 (target %d ms), "
                    + "%d commits, %d lost, write errors %s, autocommit read errors %s (%d reads), new primary server%d%n",
                    gap, FAILCOUNT * INTERVAL_MS + 2000, load.committed.size(), lost.size(), load.writeErrors,
                    load.readErrors, load.reads.get(), primary);
            assertEquals(Set.of(), lost, "commits the client saw, missing on the new primary");
            assertEquals(0, OltpLoad.total(load.readErrors), "autocommit read errors: " + load.readErrors);
            assertTrue(gap <= FAILCOUNT * INTERVAL_MS + 2000, "writes were back after " + gap + " ms");
            assertTrue(load.committed.size() > before + 100, "commits after the failover");
            for (String e : load.writeErrors.keySet()) {
                // The two documented answers: a COMMIT in flight (outcome unknown), or a replay
                // that found changed data (rolled back, "restart the transaction").
                assertTrue(e.startsWith("1180 ") || e.startsWith("1213 "),
                        "only a COMMIT in flight or a replay conflict may fail: " + load.writeErrors);
            }
        }
        assertEquals(1L, monitor(p).diagnostics().get("failovers"));

        // The old primary comes back: auto_rejoin makes it a replica of the new one.
        HaCluster.startNode(1);
        awaitTrue("server1 rejoined as a replica", Duration.ofSeconds(60), () -> p.server("server1").state().isSlave());
        int primary = primaryIndex(p);
        try (Connection m = HaCluster.root(primary)) {
            String pos = Db.scalar(m, "SELECT @@gtid_binlog_pos");
            List<String> sums = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                try (Connection c = HaCluster.root(n)) {
                    assertEquals("0", Db.scalar(c, n == primary ? "SELECT 0" : "SELECT MASTER_GTID_WAIT('" + pos + "', 30)"),
                            "server" + n + " caught up");
                    sums.add(checksums(c));
                    if (n != primary) {
                        assertEquals("1", Db.scalar(c, "SELECT @@read_only"), "server" + n + " is read-only");
                    }
                }
            }
            assertEquals(sums.get(0), sums.get(1), "server1 and server2 hold the same data");
            assertEquals(sums.get(1), sums.get(2), "server2 and server3 hold the same data");
        }
    }

    private static String checksums(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("CHECKSUM TABLE test.sbtest1, test.ledger")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                sb.append(rs.getString(1)).append('=').append(rs.getString(2)).append(' ');
            }
            return sb.toString();
        }
    }

    @Test
    void switchoverUnderLoadShowsNoErrors() throws Exception {
        TestProxy p = proxy("ha-switchover", "");
        try (OltpLoad load = new OltpLoad(p.port("rws"), WRITERS, READERS)) {
            load.start();
            Thread.sleep(2000);
            long t0 = System.nanoTime();
            String out = monitor(p).command("switchover", List.of("server2"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(out.contains("server2 is the primary"), out);
            long after = load.committed.size();
            Thread.sleep(2000);
            load.close();
            System.err.printf("[HighAvailabilityIT] switchover took %d ms; %d commits, write errors %s, read errors %s%n",
                    ms, load.committed.size(), load.writeErrors, load.readErrors);
            assertEquals(Map.of(), Map.copyOf(load.writeErrors), "write errors during the switchover");
            assertEquals(Map.of(), Map.copyOf(load.readErrors), "read errors during the switchover");
            assertTrue(load.committed.size() > after, "commits after the switchover");
            try (Connection c = HaCluster.root(2)) {
                assertEquals(Set.of(), load.lost(c));
            }
        }
        awaitTrue("server1 replicates from server2", Duration.ofSeconds(10), () -> p.server("server1").state().isSlave()
                && p.server("server3").state().isSlave() && p.server("server2").state().isMaster());
        try (Connection c = HaCluster.root(1)) {
            assertEquals("1", Db.scalar(c, "SELECT @@read_only"));
        }
    }

    @Test
    void noFailoverWhenNoReplicaIsKnownToHaveAllTheData() throws Exception {
        TestProxy p = proxy("ha-refused", "");
        for (int n = 2; n <= 3; n++) {
            try (Connection c = HaCluster.root(n)) {
                Db.exec(c, "STOP SLAVE IO_THREAD");
            }
        }
        HaCluster.kill(1);
        Thread.sleep((FAILCOUNT + 4) * INTERVAL_MS);
        assertEquals(-1, primaryIndex(p), "no primary");
        assertEquals(0L, monitor(p).diagnostics().get("failovers"));
        for (int n = 2; n <= 3; n++) {
            try (Connection c = HaCluster.root(n)) {
                assertEquals("1", Db.scalar(c, "SELECT @@read_only"), "server" + n + " untouched");
                assertEquals("No", slaveField(c, "Slave_IO_Running"), "server" + n + " replication untouched");
            }
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> monitor(p).command("failover", List.of()));
        assertTrue(e.getMessage().contains("IO thread was stopped"), e.getMessage());
    }

    private static String slaveField(Connection c, String field) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
            assertTrue(rs.next());
            return rs.getString(field);
        }
    }

    @Test
    void enforceReadOnlySlavesAndMaintenanceSurvivingARestart() throws Exception {
        TestProxy p = proxy("ha-readonly", "enforce_read_only_slaves = true\n");
        try (Connection c = HaCluster.root(3)) {
            Db.exec(c, "SET GLOBAL read_only = 0");
            awaitTrue("server3 read-only again", Duration.ofSeconds(10), () -> {
                try {
                    return "1".equals(Db.scalar(c, "SELECT @@read_only"));
                } catch (SQLException e) {
                    throw new AssertionError(e);
                }
            });
        }
        p.runtime().monitors().get("hamon").setMaintenance("server3", true);
        java.nio.file.Path data = TestProxy.projectDir().resolve("target/it/ha-readonly/data");
        java.nio.file.Path journal = data.resolve("mariadbmon-hamon.json");
        awaitTrue("the journal names server3", Duration.ofSeconds(5), () -> {
            try {
                return java.nio.file.Files.readString(journal).contains("server3");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        p.close();
        proxies.remove(p);
        // A proxy restarted on the same datadir starts with server3 in maintenance and knows the primary.
        io.loomscale.service.LoomScale again = io.loomscale.testing.InProcessProxy.start("[loomscale]\ndatadir = \""
                + data + "\"\n\n" + config(""), "ha-restarted.toml");
        try {
            assertTrue(again.servers().get("server3").state().inMaintenance(), again.servers().get("server3").state().describe());
            assertTrue(again.servers().get("server1").state().isMaster());
        } finally {
            again.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void twoProxiesCooperateAndOnlyOneFailsOver() throws Exception {
        String locks = "cooperative_monitoring_locks = \"majority_of_all\"\n";
        TestProxy a = proxy("ha-coop-a", locks);
        TestProxy b = proxy("ha-coop-b", locks);
        awaitTrue("one primary monitor", Duration.ofSeconds(20), () -> isPrimary(a) != isPrimary(b));
        TestProxy acting = isPrimary(a) ? a : b;
        TestProxy other = acting == a ? b : a;
        Thread.sleep(3 * INTERVAL_MS);
        assertTrue(isPrimary(acting) && !isPrimary(other), "the roles stay put");

        HaCluster.kill(1);
        awaitTrue("both see a new primary", Duration.ofSeconds(30), () -> primaryIndex(a) > 1 && primaryIndex(b) > 1);
        assertEquals(primaryIndex(a), primaryIndex(b));
        assertEquals(1L, monitor(acting).diagnostics().get("failovers"));
        assertEquals(0L, monitor(other).diagnostics().get("failovers"));
        for (TestProxy p : List.of(a, b)) {
            try (Connection c = Db.app(p.port("rws"))) {
                Db.exec(c, "INSERT INTO test.ledger VALUES (99, " + (p == a ? 1 : 2) + ")");
                assertEquals(String.valueOf(primaryIndex(p)), Db.scalar(c, "SELECT @@server_id FOR UPDATE"));
            }
        }

        // The acting proxy goes away: its locks are freed, the other one takes over.
        acting.close();
        proxies.remove(acting);
        awaitTrue("the other proxy becomes the primary monitor", Duration.ofSeconds(15), () -> isPrimary(other));
    }

    private static boolean isPrimary(TestProxy p) {
        Object v = monitor(p).diagnostics().get("primary");
        assertNotNull(v);
        return (Boolean) v;
    }

    private static void awaitTrue(String what, Duration timeout, BooleanSupplier cond) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
