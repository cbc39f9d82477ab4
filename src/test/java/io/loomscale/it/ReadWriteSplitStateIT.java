package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * readwritesplit beyond plain routing, each test on its own proxy: lazy connections that replay
 * the session history, causal reads while the replicas are held behind, a replica that dies under
 * a read ({@code retry_failed_reads}), and a primary that goes away ({@code master_failure_mode}).
 * Tests that stop servers start them again before they end.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReadWriteSplitStateIT {
    private static TestCluster cluster;
    private static String primaryId;
    private static String replica1Id;
    private static String replica2Id;

    @BeforeAll
    static void setUp() {
        cluster = TestCluster.get();
        primaryId = cluster.rootScalar(cluster.primaryPort(), "SELECT @@server_id");
        replica1Id = cluster.rootScalar(cluster.replicaPorts().get(0), "SELECT @@server_id");
        replica2Id = cluster.rootScalar(cluster.replicaPorts().get(1), "SELECT @@server_id");
        cluster.rootSql(cluster.primaryPort(), "CREATE OR REPLACE TABLE test.rws_state (id INT PRIMARY KEY, v VARCHAR(20))");
        cluster.waitForReplication();
    }

    private static TestProxy proxy(String name, String extra) {
        TestProxy p = TestProxy.start(name, RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + RwsConfigs.service("rws", extra) + TestProxy.listener("rws", "rws", TestProxy.freePort()));
        RwsConfigs.awaitRoles(p);
        return p;
    }

    @Test
    void lazyConnectOpensBackendsOnFirstUseAndReplaysTheSessionHistory() throws SQLException {
        try (TestProxy p = proxy("rws-lazy", "lazy_connect = true\n")) {
            try (Connection c = Db.app(p.port("rws")); Statement st = c.createStatement()) {
                st.execute("SET @v = 5");
                st.execute("USE sbtest");
                st.execute("SET NAMES latin1");
                int before = p.server("server2").connections() + p.server("server3").connections();
                try (ResultSet rs = st.executeQuery("SELECT @v, DATABASE(), @@character_set_client, @@server_id")) {
                    rs.next();
                    assertEquals("5", rs.getString(1), "replayed SET @v");
                    assertEquals("sbtest", rs.getString(2), "replayed USE");
                    assertEquals("latin1", rs.getString(3), "replayed SET NAMES");
                    assertTrue(Set.of(replica1Id, replica2Id).contains(rs.getString(4)));
                }
                assertEquals(before + 1, p.server("server2").connections() + p.server("server3").connections(),
                        "the read opened one replica connection");
            }
        }
    }

    @Test
    void lazyConnectOpensNothingForAnIdleSession() throws Exception {
        try (TestProxy p = proxy("rws-lazy-idle", "lazy_connect = true\n");
             RawClient c = RawClient.login(p.port("rws"), Db.APP, Db.APP_PW, "test")) {
            assertTrue(c.command(new byte[] {0x0e}).isOk(), "COM_PING answered without a backend");
            int total = p.server("server1").connections() + p.server("server2").connections()
                    + p.server("server3").connections();
            assertEquals(0, total, "no backend connection yet");
            assertEquals("1", c.query("SELECT 1").single());
            assertEquals(1, p.server("server2").connections() + p.server("server3").connections(),
                    "the first read opened one replica connection");
        }
    }

    @Test
    void causalReadsSeeTheSessionsOwnWriteWhileReplicasLag() throws SQLException {
        try (TestProxy p = proxy("rws-causal", "causal_reads = \"local\"\ncausal_reads_timeout = \"1s\"\n");
             Connection c = Db.app(p.port("rws")); Statement st = c.createStatement()) {
            for (int port : cluster.replicaPorts()) {
                cluster.rootSql(port, "STOP SLAVE SQL_THREAD");
            }
            try {
                st.execute("INSERT INTO rws_state VALUES (1, 'held') ON DUPLICATE KEY UPDATE v = 'held'");
                try (ResultSet rs = st.executeQuery("SELECT v, @@server_id FROM rws_state WHERE id = 1")) {
                    assertTrue(rs.next(), "the session's own write is visible");
                    assertEquals("held", rs.getString(1));
                    assertEquals(primaryId, rs.getString(2), "replicas are held back: the primary answered");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> d = p.runtime().services().get("rws").router().diagnostics();
                assertTrue((Long) d.get("causal_reads_timeouts") >= 1, "a wait timed out: " + d);
            } finally {
                for (int port : cluster.replicaPorts()) {
                    cluster.rootSql(port, "START SLAVE SQL_THREAD");
                }
            }
            RwsConfigs.awaitRoles(p); // the monitor saw the replicas without their SQL thread: not replicas then
            st.execute("UPDATE rws_state SET v = 'caught up' WHERE id = 1");
            try (ResultSet rs = st.executeQuery("SELECT v, @@server_id FROM rws_state WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals("caught up", rs.getString(1), "read your own write");
                assertNotEquals(primaryId, rs.getString(2), "replicas replicate again: a replica waited and answered");
            }
        }
    }

    @Test
    void causalReadsMakeReplicasCatchUpBeforeASelectThatAssignsAVariable() throws SQLException {
        try (TestProxy p = proxy("rws-causal-var", "causal_reads = \"local\"\ncausal_reads_timeout = \"20s\"\n");
             Connection c = Db.app(p.port("rws")); Statement st = c.createStatement()) {
            st.execute("INSERT INTO rws_state VALUES (2, 'before') ON DUPLICATE KEY UPDATE v = 'before'");
            setReplicaDelay(2);
            try {
                st.execute("UPDATE rws_state SET v = 'after' WHERE id = 2");
                // Runs on every backend (it assigns a variable); the replicas apply the UPDATE first.
                st.execute("SELECT @rws_v := v FROM rws_state WHERE id = 2");
                try (ResultSet rs = st.executeQuery("SELECT @rws_v, @@server_id")) {
                    assertTrue(rs.next());
                    assertEquals("after", rs.getString(1), "the variable holds the session's own write");
                    assertNotEquals(primaryId, rs.getString(2), "a replica answered the variable read");
                }
            } finally {
                setReplicaDelay(0);
                RwsConfigs.awaitRoles(p);
            }
        }
    }

    @Test
    void causalReadsLeaveRowCountAndWarningsOfAWriteToTheClient() throws SQLException {
        try (TestProxy p = proxy("rws-causal-rowcount", "causal_reads = \"local\"\n");
             Connection c = Db.app(p.port("rws")); Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE TABLE rws_rowcount (id INT PRIMARY KEY, t TINYINT)");
            st.execute("INSERT INTO rws_rowcount VALUES (1, 1), (2, 2), (3, 3)");
            assertEquals("3", Db.scalarOf(st, "SELECT ROW_COUNT()"), "the INSERT's row count, not the proxy's GTID query's");
            st.execute("INSERT IGNORE INTO rws_rowcount VALUES (1, 1), (4, 1000)");
            try (ResultSet rs = st.executeQuery("SHOW WARNINGS")) {
                assertTrue(rs.next(), "the INSERT IGNORE's warnings");
                assertEquals(1062, rs.getInt(2));
                assertTrue(rs.next());
                assertEquals(1264, rs.getInt(2));
            }
            // And the next read still sees the session's writes.
            assertEquals("4", Db.scalarOf(st, "SELECT COUNT(*) FROM rws_rowcount"));
            // A stored function that writes, called by a SELECT: the next read waits for it too.
            cluster.rootSql(cluster.primaryPort(), "CREATE OR REPLACE FUNCTION test.rws_rowcount_add(x INT) RETURNS INT "
                    + "DETERMINISTIC BEGIN INSERT INTO test.rws_rowcount VALUES (x, 0); RETURN x; END");
            cluster.waitForReplication();
            setReplicaDelay(1); // the replicas apply each write a second late
            try {
                for (int i = 10; i < 13; i++) {
                    assertEquals(String.valueOf(i), Db.scalarOf(st, "SELECT rws_rowcount_add(" + i + ")"));
                    assertEquals("1", Db.scalarOf(st, "SELECT COUNT(*) FROM rws_rowcount WHERE id = " + i),
                            "the function's insert is visible to the next read");
                }
            } finally {
                setReplicaDelay(0);
                RwsConfigs.awaitRoles(p);
            }
            cluster.rootSql(cluster.primaryPort(), "DROP FUNCTION test.rws_rowcount_add");
            st.execute("DROP TABLE rws_rowcount");
        }
    }

    @Test
    void globalCausalReadsSeeAnotherSessionsWrite() throws SQLException {
        try (TestProxy p = proxy("rws-causal-global", "causal_reads = \"global\"\ncausal_reads_timeout = \"5s\"\n");
             Connection writer = Db.app(p.port("rws")); Connection reader = Db.app(p.port("rws"))) {
            for (int i = 0; i < 20; i++) {
                Db.exec(writer, "INSERT INTO rws_state VALUES (100, 'g" + i + "') ON DUPLICATE KEY UPDATE v = 'g" + i + "'");
                assertEquals("g" + i, Db.scalar(reader, "SELECT v FROM rws_state WHERE id = 100"),
                        "the other session's write is visible at once");
            }
        }
    }

    @Test
    void aReplicaThatDiesUnderAReadIsReplacedWithoutAnError() throws Exception {
        try (TestProxy p = proxy("rws-retry", "");
             Connection c = Db.app(p.port("rws")); Statement st = c.createStatement()) {
            Thread killer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(700);
                } catch (InterruptedException e) {
                    return;
                }
                cluster.stopNode(2);
            });
            try {
                // The read sleeps on server2 and is cut off there; it is sent again elsewhere.
                try (ResultSet rs = st.executeQuery("SELECT SLEEP(2), @@server_id -- maxscale route to server server2")) {
                    rs.next();
                    assertNotEquals(replica1Id, rs.getString(2), "answered by another server");
                }
                killer.join();
                for (int i = 0; i < 5; i++) {
                    String id = Db.scalarOf(st, "SELECT @@server_id");
                    assertTrue(id.equals(replica2Id) || id.equals(primaryId), "reads avoid the dead replica: " + id);
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> d = p.runtime().services().get("rws").router().diagnostics();
                assertTrue((Long) d.get("retried_reads") >= 1, "counted: " + d);
            } finally {
                killer.join();
                cluster.startNode(2);
                cluster.waitForReplication();
                RwsConfigs.awaitSharedProxyRoles();
            }
        }
    }

    @Test
    void aBackendThatAnswersASessionCommandDifferentlyIsDropped() throws SQLException {
        // A database that only replica 1 has (created there without replicating it): USE succeeds
        // there and fails on the primary, whose answer the client gets, and on replica 2.
        cluster.rootSql(cluster.primaryPort(), "GRANT ALL ON rws_only_r1.* TO 'app'@'%'");
        cluster.waitForReplication();
        onReplica1WithoutBinlog("CREATE DATABASE IF NOT EXISTS rws_only_r1");
        try (TestProxy p = proxy("rws-diverge", "");
             Connection c = Db.app(p.port("rws")); Statement st = c.createStatement()) {
            Set<String> first = new java.util.HashSet<>();
            for (int i = 0; i < 6; i++) {
                first.add(Db.scalarOf(st, "SELECT @@server_id"));
            }
            assertEquals(Set.of(replica1Id, replica2Id), first, "both replicas in use at first");
            SQLException e = assertThrows(SQLException.class, () -> st.execute("USE rws_only_r1"));
            assertEquals(1049, e.getErrorCode(), "the primary's answer: unknown database");
            for (int i = 0; i < 6; i++) {
                try (ResultSet rs = st.executeQuery("SELECT @@server_id, DATABASE()")) {
                    rs.next();
                    assertEquals(replica2Id, rs.getString(1), "replica 1 answered differently and was dropped");
                    assertEquals("test", rs.getString(2));
                }
            }
        } finally {
            onReplica1WithoutBinlog("DROP DATABASE IF EXISTS rws_only_r1");
        }
    }

    /** Runs {@code sql} as root on replica 1 only: not written to its binary log, so replication is not disturbed. */
    /** Makes both replicas apply what they receive {@code seconds} late (MASTER_DELAY). */
    private static void setReplicaDelay(int seconds) {
        for (int port : cluster.replicaPorts()) {
            cluster.rootSql(port, "STOP SLAVE");
            cluster.rootSql(port, "CHANGE MASTER TO MASTER_DELAY = " + seconds);
            cluster.rootSql(port, "START SLAVE");
        }
    }

    private static void onReplica1WithoutBinlog(String sql) throws SQLException {
        try (Connection c = Db.connect(cluster.replicaPorts().get(0), null, TestCluster.ROOT_USER, TestCluster.ROOT_PASSWORD);
             Statement st = c.createStatement()) {
            st.execute("SET SESSION sql_log_bin = 0");
            st.execute(sql);
        }
    }

    @Test
    void maxSlaveConnectionsBoundsTheReplicasOfASession() throws SQLException {
        try (TestProxy p = proxy("rws-one-slave", "max_slave_connections = 1\n");
             Connection c = Db.app(p.port("rws"))) {
            assertEquals(1, p.server("server2").connections() + p.server("server3").connections(),
                    "one replica connection");
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (int i = 0; i < 10; i++) {
                ids.add(Db.scalar(c, "SELECT @@server_id"));
            }
            assertEquals(1, ids.size(), "one replica serves the session's reads: " + ids);
        }
    }

    @Test
    void masterAcceptReadsLetsThePrimaryServeReads() throws SQLException {
        // The primary weighs ten times a replica: with master_accept_reads it wins the reads.
        String servers = RwsConfigs.servers(cluster).replace("port = " + cluster.primaryPort() + "\n",
                "port = " + cluster.primaryPort() + "\nweight = 10\n");
        String extra = "master_accept_reads = true\nslave_selection_criteria = \"LEAST_GLOBAL_CONNECTIONS\"\n";
        try (TestProxy p = TestProxy.start("rws-master-reads", servers + RwsConfigs.monitor()
                + RwsConfigs.service("rws", extra) + TestProxy.listener("rws", "rws", TestProxy.freePort()))) {
            RwsConfigs.awaitRoles(p);
            try (Connection c = Db.app(p.port("rws"))) {
                assertEquals(primaryId, Db.scalar(c, "SELECT @@server_id"), "the lightest-loaded server is the primary");
            }
        }
        try (TestProxy p = TestProxy.start("rws-master-no-reads", servers + RwsConfigs.monitor()
                + RwsConfigs.service("rws", "slave_selection_criteria = \"LEAST_GLOBAL_CONNECTIONS\"\n")
                + TestProxy.listener("rws", "rws", TestProxy.freePort()))) {
            RwsConfigs.awaitRoles(p);
            try (Connection c = Db.app(p.port("rws"))) {
                assertNotEquals(primaryId, Db.scalar(c, "SELECT @@server_id"), "without master_accept_reads: a replica");
            }
        }
    }

    /**
     * Split packets through readwritesplit: a 20 MiB value written with a server-side prepared
     * statement and with plain text (both split over two packets), then read back (causal reads
     * make the replica wait for it).
     */
    @Test
    void largeValuesGoThrough() throws Exception {
        try (TestProxy p = proxy("rws-large", "causal_reads = \"local\"\n")) {
            cluster.rootSql(cluster.primaryPort(),
                    "CREATE OR REPLACE TABLE test.rws_large (id INT PRIMARY KEY, b LONGBLOB)");
            cluster.waitForReplication();
            byte[] blob = new byte[20 << 20];
            new java.util.Random(7).nextBytes(blob);
            String md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(blob));
            for (boolean serverPrep : new boolean[] {true, false}) {
                int id = serverPrep ? 1 : 2;
                try (Connection c = Db.app(p.port("rws"), "useServerPrepStmts=" + serverPrep)) {
                    try (java.sql.PreparedStatement ps = c.prepareStatement("REPLACE INTO rws_large VALUES (?, ?)")) {
                        ps.setInt(1, id);
                        ps.setBytes(2, blob);
                        ps.executeUpdate();
                    }
                    try (java.sql.PreparedStatement ps = c.prepareStatement(
                            "SELECT CONCAT(LENGTH(b), ' ', MD5(b)), @@server_id FROM rws_large WHERE id = ?")) {
                        ps.setInt(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next(), "the row is there");
                            assertEquals((20 << 20) + " " + md5, rs.getString(1));
                        }
                    }
                    assertEquals("9", Db.scalar(c, "SELECT 9"), "in sync after the split packets");
                }
            }
            // A session command of more than 16 MiB reaches every backend too.
            try (Connection c = Db.app(p.port("rws")); Statement st = c.createStatement()) {
                st.execute("SET @big = '" + "x".repeat(17 << 20) + "'");
                for (String server : new String[] {"server1", "server2", "server3"}) {
                    try (ResultSet rs = st.executeQuery("SELECT LENGTH(@big) -- maxscale route to server " + server)) {
                        rs.next();
                        assertEquals(17 << 20, rs.getInt(1), "@big on " + server);
                    }
                }
            }
        }
    }

    /** LOAD DATA LOCAL through readwritesplit (the file follows the statement as continuation packets). */
    @org.junit.jupiter.params.ParameterizedTest(name = "extra service keys: [{0}]")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "causal_reads = \"local\"\n"})
    void loadDataLocalGoesThrough(String extra) throws Exception {
        cluster.rootSql(cluster.primaryPort(),
                "CREATE OR REPLACE TABLE test.rws_load (k INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(10,2))");
        java.nio.file.Path file = TestProxy.projectDir().resolve("target/it/rws-load.tsv");
        LargeDataIT.writeTsv(file, 100_000);
        try (TestProxy p = proxy("rws-load", extra);
             Connection c = Db.app(p.port("rws"), "allowLocalInfile=true"); Statement st = c.createStatement()) {
            assertEquals(100_000, st.executeUpdate("LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE rws_load"));
            assertEquals("100000", Db.scalarOf(st, "SELECT COUNT(*) FROM rws_load -- maxscale route to master"));
            assertEquals("11", Db.scalarOf(st, "SELECT 11"), "in sync after the file");
        }
    }

    @Test
    void strictSpCallsKeepsTheSessionOnThePrimaryAfterACall() throws SQLException {
        cluster.rootSql(cluster.primaryPort(), "CREATE OR REPLACE PROCEDURE test.rws_sp() SELECT @@server_id");
        cluster.waitForReplication();
        for (boolean strict : new boolean[] {true, false}) {
            try (TestProxy p = proxy("rws-sp-" + strict, "strict_sp_calls = " + strict + "\n");
                 Connection c = Db.app(p.port("rws")); Statement st = c.createStatement()) {
                assertNotEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id"), "a read before the call");
                assertEquals(primaryId, Db.scalarOf(st, "CALL rws_sp()"), "the call runs on the primary");
                String after = Db.scalarOf(st, "SELECT @@server_id");
                if (strict) {
                    assertEquals(primaryId, after, "strict_sp_calls: the session stays on the primary");
                } else {
                    assertNotEquals(primaryId, after, "without strict_sp_calls reads go to replicas again");
                }
            }
        }
    }

    /**
     * {@code connection_keepalive}: backends of the session idle for longer than the interval get
     * a COM_PING when the session routes its next statement, so the server sees them active (its
     * processlist TIME restarts) and its wait_timeout does not end them.
     */
    @Test
    void idleBackendsArePingedAfterConnectionKeepalive() throws Exception {
        for (boolean keepalive : new boolean[] {true, false}) {
            try (TestProxy p = proxy("rws-keepalive-" + keepalive, "connection_keepalive = " + (keepalive ? 1 : 0) + "\n");
                 Connection c = Db.connect(p.port("rws"), "sbtest", Db.APP, Db.APP_PW); Statement st = c.createStatement()) {
                Db.scalarOf(st, "SELECT 1");
                Thread.sleep(3500);
                Db.scalarOf(st, "SELECT 2 -- maxscale route to server server2"); // routes: idle backends are pinged first
                Thread.sleep(300);
                String idle = cluster.rootScalar(cluster.primaryPort(), "SELECT MIN(TIME) FROM information_schema.PROCESSLIST"
                        + " WHERE USER = 'app' AND DB = 'sbtest'");
                if (keepalive) {
                    assertTrue(Integer.parseInt(idle) <= 1, "the primary connection was pinged: idle " + idle + " s");
                } else {
                    assertTrue(Integer.parseInt(idle) >= 3, "without keepalive it stays idle: " + idle + " s");
                }
            }
        }
    }

    /**
     * A MaxScale configuration chaining the hint filter in front of readwritesplit loads and works:
     * hints are obeyed, and the (pass-through) filter does not cost the fast path.
     */
    @Test
    void maxScaleStyleHintFilterChainWorks() throws Exception {
        String objects = RwsConfigs.servers(cluster) + RwsConfigs.monitor() + "[filter.Hint]\nmodule = \"hintfilter\"\n\n"
                + RwsConfigs.service("rws", "filters = [\"Hint\"]\n") + TestProxy.listener("rws", "rws", TestProxy.freePort());
        try (TestProxy p = TestProxy.start("rws-hintfilter", objects)) {
            RwsConfigs.awaitRoles(p);
            try (Connection c = Db.app(p.port("rws")); Statement st = c.createStatement()) {
                assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id -- maxscale route to master"));
                assertEquals(replica2Id, Db.scalarOf(st, "SELECT @@server_id -- maxscale route to server server3"));
                long before = 0;
                for (io.loomscale.net.EventLoop l : p.runtime().loops()) {
                    before += l.handoffs();
                }
                for (int i = 0; i < 50; i++) {
                    Db.scalarOf(st, "SELECT " + i);
                }
                long after = 0;
                for (io.loomscale.net.EventLoop l : p.runtime().loops()) {
                    after += l.handoffs();
                }
                assertTrue(after - before < 10, "the fast path is kept: " + (after - before) + " hand-offs for 50 reads");
            }
        }
    }

    /**
     * A pooled connection (persistpoolmax) taken by a lazily connecting session is reset, then
     * given the session's history, and serves the read: the reset's own reply must not be
     * mistaken for the first replayed command's.
     */
    @Test
    void pooledReplicaConnectionTakenLaterReplaysTheHistory() throws SQLException {
        String servers = RwsConfigs.servers(cluster).replace("port = " + cluster.replicaPorts().get(0) + "\n",
                "port = " + cluster.replicaPorts().get(0) + "\npersistpoolmax = 4\npersistmaxtime = \"1h\"\n");
        try (TestProxy p = TestProxy.start("rws-pool", servers + RwsConfigs.monitor()
                + RwsConfigs.service("rws", "lazy_connect = true\nmax_slave_connections = 1\n"
                        + "slave_selection_criteria = \"LEAST_GLOBAL_CONNECTIONS\"\n")
                + TestProxy.listener("rws", "rws", TestProxy.freePort()))) {
            RwsConfigs.awaitRoles(p);
            // Sessions go round the two selector loops; a pooled connection serves its own loop.
            Set<String> pooledIds = new java.util.HashSet<>();
            for (int i = 0; i < 2; i++) {
                try (Connection c = Db.app(p.port("rws"))) {
                    pooledIds.add(Db.scalar(c, "SELECT CONNECTION_ID() -- maxscale route to server server2"));
                }
            }
            assertTrue(TestProxy.awaitAtMost(() -> -p.runtime().pool().size(p.server("server2")), -1,
                    java.time.Duration.ofSeconds(5)) <= -1, "a replica connection in the pool");
            try (Connection c = Db.app(p.port("rws")); Statement st = c.createStatement()) {
                st.execute("SET @x = 7");
                try (ResultSet rs = st.executeQuery(
                        "SELECT @x, @@server_id, CONNECTION_ID() -- maxscale route to server server2")) {
                    rs.next();
                    assertEquals("7", rs.getString(1), "the history was replayed on the pooled connection");
                    assertEquals(replica1Id, rs.getString(2));
                    assertTrue(pooledIds.contains(rs.getString(3)), "served by a pooled connection " + pooledIds
                            + ", not a new one: " + rs.getString(3));
                }
            }
        }
    }

    @Test
    void withoutAPrimaryEachMasterFailureModeBehavesAsDocumented() throws Exception {
        String objects = RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + RwsConfigs.service("strict", "") + RwsConfigs.service("lenient", "master_failure_mode = \"error_on_write\"\n")
                + RwsConfigs.service("onwrite", "master_failure_mode = \"fail_on_write\"\n")
                + TestProxy.listener("strict", "strict", TestProxy.freePort())
                + TestProxy.listener("lenient", "lenient", TestProxy.freePort())
                + TestProxy.listener("onwrite", "onwrite", TestProxy.freePort());
        try (TestProxy p = TestProxy.start("rws-nomaster", objects)) {
            RwsConfigs.awaitRoles(p);
            try (Connection open = Db.app(p.port("lenient")); Statement st = open.createStatement();
                 Connection onWrite = Db.app(p.port("onwrite")); Statement ow = onWrite.createStatement()) {
                cluster.stopNode(1);
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (p.server("server1").state().isRunning() && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    SQLException refused = assertThrows(SQLException.class, () -> Db.app(p.port("strict")).close());
                    assertTrue(refused.getMessage().contains("no primary"), refused.getMessage());
                    SQLException ro = assertThrows(SQLException.class,
                            () -> st.execute("INSERT INTO rws_state VALUES (7, 'x')"));
                    assertTrue(ro.getMessage().contains("read-only"), ro.getMessage());
                    assertTrue(Set.of(replica1Id, replica2Id).contains(Db.scalarOf(st, "SELECT @@server_id")),
                            "the session still reads from the replicas");
                    try (Connection late = Db.app(p.port("lenient"))) {
                        assertTrue(Set.of(replica1Id, replica2Id).contains(Db.scalar(late, "SELECT @@server_id")),
                                "error_on_write accepts new sessions without a primary");
                    }
                    // fail_on_write: reads go on; the first write ends the session with an error.
                    assertTrue(Set.of(replica1Id, replica2Id).contains(Db.scalarOf(ow, "SELECT @@server_id")));
                    SQLException closed = assertThrows(SQLException.class,
                            () -> ow.execute("INSERT INTO rws_state VALUES (9, 'x')"));
                    assertTrue(closed.getMessage().contains("master_failure_mode=fail_on_write"), closed.getMessage());
                    assertThrows(SQLException.class, () -> Db.scalarOf(ow, "SELECT 1"), "the session is closed");
                } finally {
                    cluster.startNode(1);
                }
                RwsConfigs.awaitRoles(p);
                RwsConfigs.awaitSharedProxyRoles();
            }
            try (Connection c = Db.app(p.port("strict"))) {
                Db.exec(c, "INSERT INTO rws_state VALUES (8, 'back') ON DUPLICATE KEY UPDATE v = 'back'");
            }
            cluster.waitForReplication();
        }
    }
}
