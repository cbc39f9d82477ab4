package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * readwritesplit's routing rules against the real cluster, with Connector/J. Where a statement
 * ran is read from the servers themselves: {@code @@server_id} in the statement, or the servers'
 * own {@code Com_*} counters; every session command is checked on both replicas (reads of one
 * session alternate over equally loaded replicas).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReadWriteSplitIT {
    private static TestCluster cluster;
    private static TestProxy proxy;
    private static int port;
    private static String primaryId;
    private static Set<String> replicaIds;

    @BeforeAll
    static void setUp() throws SQLException {
        cluster = TestCluster.get();
        primaryId = cluster.rootScalar(cluster.primaryPort(), "SELECT @@server_id");
        replicaIds = Set.of(cluster.rootScalar(cluster.replicaPorts().get(0), "SELECT @@server_id"),
                cluster.rootScalar(cluster.replicaPorts().get(1), "SELECT @@server_id"));
        proxy = TestProxy.start("rws", RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + RwsConfigs.service("rws", "") + TestProxy.listener("rws", "rws", TestProxy.freePort()));
        port = proxy.port("rws");
        RwsConfigs.awaitRoles(proxy);
        try (Connection c = Db.app(port)) {
            Db.exec(c, "CREATE OR REPLACE TABLE rws_t (id INT PRIMARY KEY, v VARCHAR(20))");
        }
        cluster.waitForReplication();
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** The server ids seen by {@code n} runs of {@code SELECT @@server_id} on {@code c}. */
    private static Set<String> idsSeen(Connection c, int n) throws SQLException {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            ids.add(Db.scalar(c, "SELECT @@server_id"));
        }
        return ids;
    }

    @Test
    void readsGoToBothReplicasAndNeverThePrimary() throws SQLException {
        try (Connection c = Db.app(port)) {
            Set<String> ids = idsSeen(c, 20);
            assertEquals(replicaIds, ids, "reads of one session spread over the replicas");
        }
    }

    @Test
    void firstReadsOfShortSessionsSpreadOverBothReplicas() throws SQLException {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            try (Connection c = Db.app(port)) {
                ids.add(Db.scalar(c, "SELECT @@server_id"));
            }
        }
        assertEquals(replicaIds, ids, "one read per session, sessions one after another");
    }

    @Test
    void readsRaiseTheReplicasComSelectCountersNotThePrimarys() throws SQLException {
        String probe = "SELECT COUNT(*) FROM rws_t /* com_select probe */";
        long p0 = comSelect(cluster.primaryPort());
        long r0 = comSelect(cluster.replicaPorts().get(0)) + comSelect(cluster.replicaPorts().get(1));
        try (Connection c = Db.app(port)) {
            for (int i = 0; i < 30; i++) {
                Db.scalar(c, probe);
            }
        }
        long p1 = comSelect(cluster.primaryPort());
        long r1 = comSelect(cluster.replicaPorts().get(0)) + comSelect(cluster.replicaPorts().get(1));
        assertTrue(r1 - r0 >= 30, "replicas ran the 30 reads: " + (r1 - r0));
        // The primary only sees the monitor's and the session setup's own queries, never the 30 reads.
        assertTrue(p1 - p0 < 30, "primary Com_select grew by " + (p1 - p0));
    }

    private static long comSelect(int serverPort) {
        return Long.parseLong(cluster.rootScalar(serverPort,
                "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'COM_SELECT'"));
    }

    @Test
    void writesGoToThePrimary() throws SQLException {
        try (Connection c = Db.app(port)) {
            Db.exec(c, "DELETE FROM rws_t WHERE id = 1", "INSERT INTO rws_t VALUES (1, 'written')");
        }
        assertEquals("written", cluster.rootScalar(cluster.primaryPort(), "SELECT v FROM test.rws_t WHERE id = 1"));
        assertEquals("1", cluster.rootScalar(cluster.replicaPorts().get(0), "SELECT @@read_only"),
                "replicas are read-only, so the write can only have run on the primary");
    }

    @Test
    void readWriteTransactionStaysOnThePrimary() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("BEGIN");
            assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id"));
            st.execute("INSERT INTO rws_t VALUES (2, 'in trx') ON DUPLICATE KEY UPDATE v = 'in trx'");
            assertEquals("in trx", Db.scalarOf(st, "SELECT v FROM rws_t WHERE id = 2"), "own uncommitted write");
            assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id"));
            st.execute("COMMIT");
            assertTrue(replicaIds.contains(Db.scalarOf(st, "SELECT @@server_id")), "after COMMIT, reads go to replicas");
        }
    }

    @Test
    void jdbcAutocommitOffKeepsEverythingOnThePrimary() throws SQLException {
        try (Connection c = Db.app(port)) {
            c.setAutoCommit(false);
            assertEquals(Set.of(primaryId), idsSeen(c, 6), "autocommit=0: an implicit transaction on the primary");
            c.commit();
            assertEquals(Set.of(primaryId), idsSeen(c, 4), "still autocommit=0 after COMMIT");
            c.setAutoCommit(true);
            assertTrue(replicaIds.containsAll(idsSeen(c, 6)), "autocommit=1: reads to replicas again");
        }
    }

    @Test
    void readOnlyTransactionRunsOnOneReplica() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("START TRANSACTION READ ONLY");
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                ids.add(Db.scalarOf(st, "SELECT @@server_id"));
            }
            assertEquals(1, ids.size(), "one server for the whole transaction: " + ids);
            assertTrue(replicaIds.containsAll(ids), "a replica: " + ids);
            st.execute("COMMIT");
            assertEquals(replicaIds, idsSeen(c, 10), "after COMMIT, reads spread again");
        }
    }

    @Test
    void sessionCommandsReachEveryBackend() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("SET @x = 42");
            st.execute("SET NAMES latin1");
            st.execute("USE sbtest");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                try (ResultSet rs = st.executeQuery("SELECT @@server_id, @x, @@character_set_client, DATABASE()")) {
                    rs.next();
                    seen.add(rs.getString(1));
                    assertEquals("42", rs.getString(2), "user variable on server " + rs.getString(1));
                    assertEquals("latin1", rs.getString(3), "SET NAMES on server " + rs.getString(1));
                    assertEquals("sbtest", rs.getString(4), "USE on server " + rs.getString(1));
                }
            }
            assertEquals(replicaIds, seen);
            st.execute("USE test");
            st.execute("BEGIN");
            try (ResultSet rs = st.executeQuery("SELECT @@server_id, @x, DATABASE()")) {
                rs.next();
                assertEquals(primaryId, rs.getString(1));
                assertEquals("42", rs.getString(2), "user variable on the primary");
                assertEquals("test", rs.getString(3));
            }
            st.execute("COMMIT");
        }
    }

    @Test
    void selectAssigningAVariableRunsEverywhere() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("SELECT @y := 7");
            for (int i = 0; i < 6; i++) {
                assertEquals("7", Db.scalarOf(st, "SELECT @y"));
            }
        }
    }

    @Test
    void temporaryTableIsReadableRightAfterCreation() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("CREATE TEMPORARY TABLE rws_tmp (i INT)");
            st.execute("INSERT INTO rws_tmp VALUES (1), (2), (3)");
            for (int i = 0; i < 5; i++) {
                assertEquals("3", Db.scalarOf(st, "SELECT COUNT(*) FROM rws_tmp"));
                assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id FROM rws_tmp LIMIT 1"));
            }
            st.execute("ALTER TABLE rws_tmp RENAME rws_tmp2");
            assertEquals("3", Db.scalarOf(st, "SELECT COUNT(*) FROM rws_tmp2"), "the renamed temporary table");
            st.execute("DROP TEMPORARY TABLE rws_tmp2");
            assertTrue(replicaIds.contains(Db.scalarOf(st, "SELECT @@server_id")), "reads to replicas again");
        }
    }

    @Test
    void selectCallingAStoredFunctionThatWritesRunsOnThePrimary() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE TABLE rws_fn_log (n INT)");
            // Created as root on the primary: with the binary log on, a stored function needs SUPER
            // and one of DETERMINISTIC, NO SQL, READS SQL DATA.
            cluster.rootSql(cluster.primaryPort(), "CREATE OR REPLACE FUNCTION test.rws_fn_log_it(x INT) RETURNS INT DETERMINISTIC "
                    + "BEGIN INSERT INTO test.rws_fn_log VALUES (x); RETURN @@server_id; END");
            cluster.waitForReplication();
            // On a replica the INSERT would fail (read_only); routed as a read it would go there.
            assertEquals(primaryId, Db.scalarOf(st, "SELECT rws_fn_log_it(7)"));
            assertEquals(primaryId, Db.scalarOf(st, "SELECT test.rws_fn_log_it(8) FROM DUAL"));
            assertEquals("2", cluster.rootScalar(cluster.primaryPort(), "SELECT COUNT(*) FROM test.rws_fn_log"));
            // Built-in functions stay on the replicas.
            assertTrue(replicaIds.contains(Db.scalarOf(st, "SELECT @@server_id FROM DUAL WHERE CONCAT('a', LEFT('bc', 1)) = 'ab'")));
            st.execute("DROP FUNCTION rws_fn_log_it");
            st.execute("DROP TABLE rws_fn_log");
        }
    }

    @Test
    void aUserVariableAssignedByAWriteIsReadOnThePrimary() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("INSERT INTO rws_t VALUES (901, 'old') ON DUPLICATE KEY UPDATE v = 'old'");
            st.execute("UPDATE rws_t SET v = 'new' WHERE id = 901 AND (@rws_old := v) IS NOT NULL");
            try (ResultSet rs = st.executeQuery("SELECT @rws_old, @@server_id")) {
                assertTrue(rs.next());
                assertEquals("old", rs.getString(1), "the value the UPDATE assigned");
                assertEquals(primaryId, rs.getString(2), "only the primary has it");
            }
        }
        // A procedure's OUT parameter and a stored function called by an INSERT assign variables too.
        cluster.rootSql(cluster.primaryPort(), "CREATE OR REPLACE PROCEDURE test.rws_out(OUT o INT) SET o = 42");
        cluster.rootSql(cluster.primaryPort(), "CREATE OR REPLACE FUNCTION test.rws_set_var(x INT) RETURNS INT "
                + "DETERMINISTIC BEGIN SET @rws_fn_var = x; RETURN x; END");
        cluster.waitForReplication();
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("CALL rws_out(@rws_out_var)");
            assertEquals("42", Db.scalarOf(st, "SELECT @rws_out_var"));
            st.execute("INSERT INTO rws_t VALUES (904, rws_set_var(7)) ON DUPLICATE KEY UPDATE v = rws_set_var(7)");
            assertEquals("7", Db.scalarOf(st, "SELECT @rws_fn_var"));
        } finally {
            cluster.rootSql(cluster.primaryPort(), "DROP PROCEDURE test.rws_out");
            cluster.rootSql(cluster.primaryPort(), "DROP FUNCTION test.rws_set_var");
        }
    }

    @Test
    void showStatusReportsTheConnectionOfThePreviousStatement() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("INSERT INTO rws_t VALUES (902, 'a') ON DUPLICATE KEY UPDATE v = 'a'");
            st.execute("INSERT INTO rws_t VALUES (903, 'a') ON DUPLICATE KEY UPDATE v = 'a'");
            try (ResultSet rs = st.executeQuery("SHOW STATUS LIKE 'Com_insert'")) {
                assertTrue(rs.next());
                assertEquals("2", rs.getString(2), "the session's inserts, counted where they ran");
            }
            assertEquals("2", Db.scalarOf(st, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                    + "WHERE VARIABLE_NAME = 'COM_INSERT'"), "the same through information_schema");
        }
        try (Connection c = Db.app(port, "useServerPrepStmts=true"); Statement st = c.createStatement()) {
            st.execute("INSERT INTO rws_t VALUES (905, 'a') ON DUPLICATE KEY UPDATE v = 'a'");
            try (PreparedStatement ps = c.prepareStatement("SHOW STATUS LIKE 'Com_insert'"); ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("1", rs.getString(2), "a server-side prepared SHOW STATUS goes where the INSERT ran");
            }
            String total = Db.scalarOf(st, "SELECT COUNT(*) FROM rws_t");
            try (ResultSet rs = st.executeQuery("SELECT SQL_CALC_FOUND_ROWS id FROM rws_t LIMIT 1")) {
                assertTrue(rs.next()); // on a replica
            }
            // Preparing the next statement (on every backend) does not make it "the previous statement".
            try (PreparedStatement ps = c.prepareStatement("SELECT FOUND_ROWS()"); ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(total, rs.getString(1), "FOUND_ROWS() of the SELECT, where it ran");
            }
        }
    }

    @Test
    void aServerSidePreparedSetReachesEveryBackend() throws SQLException {
        try (Connection c = Db.app(port, "useServerPrepStmts=true");
             PreparedStatement ps = c.prepareStatement("SET SESSION group_concat_max_len = ?")) {
            ps.setInt(1, 7);
            ps.execute();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@group_concat_max_len, @@server_id")) {
                assertTrue(rs.next());
                assertEquals(7, rs.getInt(1), "the replica that answered got the prepared SET too");
                assertTrue(replicaIds.contains(rs.getString(2)), "read on a replica");
            }
            ps.setInt(1, 9);
            ps.execute(); // again: each backend under its own statement id
            assertEquals("9", Db.scalar(c, "SELECT @@group_concat_max_len"));
        }
    }

    @Test
    void aTemporaryTableCreatedByAServerSidePreparedStatementIsReadOnThePrimary() throws SQLException {
        try (Connection c = Db.app(port, "useServerPrepStmts=true")) {
            try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*), @@server_id FROM rws_t")) {
                try (ResultSet rs = count.executeQuery()) { // the real table, on a replica
                    assertTrue(rs.next());
                    assertTrue(replicaIds.contains(rs.getString(2)));
                }
                try (PreparedStatement ps = c.prepareStatement("CREATE TEMPORARY TABLE rws_t (id INT, v VARCHAR(20))")) {
                    ps.execute(); // shadows the real rws_t (same columns) for this session
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO rws_t VALUES (?, 'tmp')")) {
                    ps.setInt(1, 1);
                    ps.execute();
                }
                try (ResultSet rs = count.executeQuery()) { // prepared before: now reads the temporary table
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1), "the session's temporary table, on the primary");
                    assertEquals(primaryId, rs.getString(2));
                }
                try (PreparedStatement ps = c.prepareStatement("DROP TEMPORARY TABLE rws_t")) {
                    ps.execute();
                }
                try (ResultSet rs = count.executeQuery()) {
                    assertTrue(rs.next());
                    assertTrue(replicaIds.contains(rs.getString(2)), "the real table again, on a replica");
                }
            }
        }
    }

    @Test
    void sqlAutoIsNullFindsTheSessionsLastInsertOnThePrimary() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE TABLE rws_auto (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
            st.execute("SET sql_auto_is_null = 1");
            st.execute("INSERT INTO rws_auto (v) VALUES (5)");
            assertEquals("5", Db.scalarOf(st, "SELECT v FROM rws_auto WHERE id IS NULL"), "ODBC's last-insert lookup");
            st.execute("SET sql_auto_is_null = 0");
            assertTrue(replicaIds.contains(Db.scalarOf(st, "SELECT @@server_id")), "reads to replicas again");
            st.execute("DROP TABLE rws_auto");
        }
    }

    @Test
    void lastInsertIdAndLockingReadsGoToThePrimary() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id FROM DUAL WHERE LAST_INSERT_ID() >= 0"));
            st.execute("BEGIN");
            assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id FROM rws_t LIMIT 1 FOR UPDATE"));
            st.execute("COMMIT");
            assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id FROM rws_t LIMIT 1 LOCK IN SHARE MODE"));
        }
    }

    @Test
    void serverSidePreparedReadsRunOnReplicasAndWritesOnThePrimary() throws SQLException {
        try (Connection c = Db.app(port, "useServerPrepStmts=true", "cachePrepStmts=false")) {
            Set<String> ids = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT @@server_id, ? + 1")) {
                for (int i = 0; i < 10; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        ids.add(rs.getString(1));
                        assertEquals(i + 1, rs.getInt(2));
                    }
                }
            }
            assertEquals(replicaIds, ids, "prepared reads on the replicas");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO rws_t VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)")) {
                for (int i = 10; i < 15; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "ps" + i);
                    assertTrue(ps.executeUpdate() >= 1);
                }
            }
            assertEquals("ps14", cluster.rootScalar(cluster.primaryPort(), "SELECT v FROM test.rws_t WHERE id = 14"));
            try (PreparedStatement ps = c.prepareStatement("SELECT v FROM rws_t WHERE id = ?")) {
                cluster.waitForReplication();
                for (int i = 10; i < 15; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals("ps" + i, rs.getString(1));
                    }
                }
            }
        }
    }

    @Test
    void textPrepareAndExecuteAreRoutedByTheirStatement() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("PREPARE sid FROM 'SELECT @@server_id'");
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                ids.add(Db.scalarOf(st, "EXECUTE sid"));
            }
            assertEquals(replicaIds, ids, "a read-only text prepared statement runs on the replicas");
            st.execute("PREPARE ins FROM 'INSERT INTO rws_t VALUES (20, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)'");
            st.execute("SET @val = 'text-ps'");
            st.execute("EXECUTE ins USING @val");
            st.execute("DEALLOCATE PREPARE ins");
            st.execute("DEALLOCATE PREPARE sid");
        }
        assertEquals("text-ps", cluster.rootScalar(cluster.primaryPort(), "SELECT v FROM test.rws_t WHERE id = 20"));
    }

    @Test
    void multiStatementGoesToThePrimaryAndLocksTheSessionThere() throws SQLException {
        try (Connection c = Db.app(port, "allowMultiQueries=true"); Statement st = c.createStatement()) {
            assertTrue(replicaIds.contains(Db.scalarOf(st, "SELECT @@server_id")));
            assertTrue(st.execute("SELECT 1; SELECT @@server_id"));
            assertTrue(st.getMoreResults());
            try (ResultSet rs = st.getResultSet()) {
                rs.next();
                assertEquals(primaryId, rs.getString(1), "the multi-statement ran on the primary");
            }
            // strict_multi_stmt (on by default, as in MaxScale 2.1): the session stays on the primary.
            assertEquals(Set.of(primaryId), idsSeen(c, 4));
        }
    }

    @Test
    void routingCountersShowTheSplit() throws SQLException {
        @SuppressWarnings("unchecked")
        Map<String, Object> before = proxy.runtime().services().get("rws").router().diagnostics();
        try (Connection c = Db.app(port)) {
            for (int i = 0; i < 10; i++) {
                Db.scalar(c, "SELECT 1");
            }
            Db.exec(c, "UPDATE rws_t SET v = v WHERE id = 1");
        }
        Map<String, Object> after = proxy.runtime().services().get("rws").router().diagnostics();
        long slave = (Long) after.get("route_slave") - (Long) before.get("route_slave");
        long master = (Long) after.get("route_master") - (Long) before.get("route_master");
        assertTrue(slave >= 10, "route_slave grew by " + slave);
        assertTrue(master >= 1, "route_master grew by " + master);
        assertTrue(after.get("servers") instanceof Map<?, ?>, "per-server counters: " + after);
    }

    @Test
    void routingHintsInCommentsAreObeyed() throws SQLException {
        String server3Id = cluster.rootScalar(cluster.replicaPorts().get(1), "SELECT @@server_id");
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id -- maxscale route to master"));
                assertEquals(server3Id, Db.scalarOf(st, "SELECT @@server_id /* maxscale route to server server3 */"));
            }
            // route to last: where the previous statement went.
            assertEquals(server3Id, Db.scalarOf(st, "SELECT @@server_id # maxscale route to last"));
            // Named hints: defined, pushed for following statements, popped.
            st.execute("SELECT 1 -- maxscale toprimary prepare route to master");
            assertTrue(replicaIds.contains(Db.scalarOf(st, "SELECT @@server_id")), "defining a hint routes nothing");
            assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id -- maxscale toprimary begin"));
            assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id"), "the pushed hint applies until end");
            assertTrue(replicaIds.contains(Db.scalarOf(st, "SELECT @@server_id -- maxscale end")));
            assertEquals(replicaIds, idsSeen(c, 8), "no hint left");
        }
    }

    private static long handoffs() {
        long n = 0;
        for (io.loomscale.net.EventLoop l : proxy.runtime().loops()) {
            n += l.handoffs();
        }
        return n;
    }

    /**
     * The fast path: plain reads (text and prepared), autocommit writes and read-write
     * transactions are routed by the selector thread, with no hand-off to the session; session
     * commands still go through the session.
     */
    @Test
    void plainStatementsAreRoutedWithoutAHandoffAndSessionCommandsWithOne() throws SQLException {
        try (Connection c = Db.app(port, "useServerPrepStmts=true");
             PreparedStatement ps = c.prepareStatement("SELECT ? + 1, @@server_id");
             Statement st = c.createStatement()) {
            ps.setInt(1, 0);
            ps.executeQuery().close(); // the prepare itself goes through the session
            Set<String> ids = new HashSet<>();
            long before = handoffs();
            for (int i = 0; i < 100; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(i + 1, rs.getInt(1));
                    ids.add(rs.getString(2));
                }
                ids.add(Db.scalarOf(st, "SELECT @@server_id"));
                if (i % 10 == 0) {
                    st.execute("UPDATE rws_t SET v = v WHERE id = 1");
                    st.execute("BEGIN");
                    assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id"));
                    st.execute("COMMIT");
                }
            }
            long fast = handoffs() - before;
            assertEquals(replicaIds, ids, "the reads still went to both replicas");
            assertTrue(fast < 20, "hand-offs for 240 plain statements: " + fast);
            before = handoffs();
            for (int i = 0; i < 30; i++) {
                st.execute("SET @n = " + i);
            }
            assertTrue(handoffs() - before >= 30, "session commands go through the session: " + (handoffs() - before));
            assertEquals("29", Db.scalarOf(st, "SELECT @n"));
        }
    }

    @Test
    void showWarningsRunsWhereThePreviousStatementRan() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            for (int i = 0; i < 6; i++) {
                Db.scalarOf(st, "SELECT 1/0"); // a read on some replica, with warning 1365
                try (ResultSet rs = st.executeQuery("SHOW WARNINGS")) {
                    assertTrue(rs.next(), "the warning of the previous statement, round " + i);
                    assertEquals(1365, rs.getInt(2), "division by 0");
                }
                st.execute("UPDATE rws_t SET v = v WHERE id = 1 AND 1/0 IS NULL"); // on the primary
                try (ResultSet rs = st.executeQuery("SHOW WARNINGS")) {
                    assertTrue(rs.next(), "the primary's warning");
                    assertEquals(1365, rs.getInt(2));
                }
            }
        }
    }

    @Test
    void foundRowsAndRowCountRunWhereThePreviousStatementRan() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            for (int i = 0; i < 4; i++) {
                Db.scalarOf(st, "SELECT SQL_CALC_FOUND_ROWS seq FROM seq_1_to_50 LIMIT 3");
                assertEquals("50", Db.scalarOf(st, "SELECT FOUND_ROWS()"), "round " + i);
            }
            st.execute("UPDATE rws_t SET v = v WHERE id = 1");
            // On a replica ROW_COUNT() would be -1 (its last statement was a read); Connector/J asks
            // for found rows (CLIENT_FOUND_ROWS), so the primary reports the one matched row.
            assertEquals("1", Db.scalarOf(st, "SELECT ROW_COUNT()"), "the UPDATE's count, from the primary");
        }
    }

    @Test
    void lockedTablesKeepTheSessionOnThePrimaryUntilUnlock() throws SQLException {
        try (Connection c = Db.app(port); Statement st = c.createStatement()) {
            st.execute("LOCK TABLES rws_t READ");
            assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id FROM rws_t LIMIT 1"));
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                    () -> Db.scalarOf(st, "SELECT COUNT(*) FROM rws_load_none"));
            assertTrue(e.getErrorCode() == 1100 || e.getErrorCode() == 1146, "a table not locked: " + e.getMessage());
            st.execute("UNLOCK TABLES");
            assertTrue(replicaIds.contains(Db.scalarOf(st, "SELECT @@server_id")), "after UNLOCK, reads to replicas");
        }
    }

    @Test
    void unknownStatementIdIsAnErrorNotACrash() throws Exception {
        try (Connection c = Db.app(port)) {
            assertEquals("1", Db.scalar(c, "SELECT 1"));
        }
        try (RawClient raw = RawClient.login(port, Db.APP, Db.APP_PW, "test")) {
            byte[] execute = {0x17, 0x55, 0x55, 0, 0, 0, 1, 0, 0, 0};
            RawClient.Packet reply = raw.command(execute);
            assertEquals(0xff, reply.first(), "an ERR packet");
            assertNotEquals(-1, new String(reply.payload(), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .indexOf("Unknown prepared statement"));
            assertEquals("1", raw.query("SELECT 1").single(), "the session goes on");
        }
    }
}
