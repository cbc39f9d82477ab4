package io.loomscale.it;

import io.loomscale.filter.qlafilter.QlaFilter;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * readwritesplit's own paths with a filter chain that follows every reply's end (qlafilter with
 * reply_time) and collects every result (maxrows with limits no test reaches): session commands
 * sent to every backend, prepared statements (whose replies the router rebuilds), transactions,
 * hint comments, multi-statements, writes with causal_reads = global (whose replies the router
 * holds), and a session that sends its next statement before reading the reply. Results must be
 * what the servers return, and the log must have every statement with a reply time.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FilteredReadWriteSplitIT {
    private static TestProxy proxy;
    private static Path log;
    private static String primaryId;

    @BeforeAll
    static void setUp() throws Exception {
        TestCluster cluster = TestCluster.get();
        primaryId = cluster.rootScalar(cluster.primaryPort(), "SELECT @@server_id");
        Path dir = TestProxy.projectDir().resolve("target/it/filtered-rws-files");
        Files.createDirectories(dir);
        log = dir.resolve("qla.unified");
        Files.deleteIfExists(log);
        String toml = RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + "[filter.qla]\nmodule = \"qlafilter\"\nfilebase = \"" + dir.resolve("qla") + "\"\nlog_type = \"unified\"\n"
                + "log_data = \"session,reply_time,query\"\n\n"
                + "[filter.limit]\nmodule = \"maxrows\"\nmax_resultset_rows = 1000000\nmax_resultset_size = \"256Mi\"\n\n"
                + RwsConfigs.service("frws", "filters = [\"qla\", \"limit\"]\ncausal_reads = \"global\"\n")
                + TestProxy.listener("frws", "frws", TestProxy.freePort());
        proxy = TestProxy.start("filtered-rws", toml);
        RwsConfigs.awaitRoles(proxy);
        try (Connection c = Db.app(proxy.port("frws"))) {
            Db.exec(c, "CREATE OR REPLACE TABLE it_frws (id INT PRIMARY KEY, v VARCHAR(20))");
        }
    }

    @ParameterizedTest(name = "useServerPrepStmts={0}")
    @ValueSource(booleans = {false, true})
    void writesReadsSessionCommandsAndTransactionsGiveTheServersResults(boolean binary) throws Exception {
        try (Connection c = Db.app(proxy.port("frws"), "useServerPrepStmts=" + binary); Statement st = c.createStatement()) {
            int base = binary ? 100 : 0;
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO it_frws VALUES (?, ?)")) {
                for (int i = 1; i <= 5; i++) {
                    ins.setInt(1, base + i);
                    ins.setString(2, "v" + i);
                    assertEquals(1, ins.executeUpdate());
                }
            }
            st.execute("SET @frws = 42");
            assertEquals("42", Db.scalarOf(st, "SELECT @frws"), "a session command reached the backend that reads it");
            try (PreparedStatement sel = c.prepareStatement("SELECT v FROM it_frws WHERE id = ?")) {
                sel.setInt(1, base + 3);
                try (ResultSet rs = sel.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("v3", rs.getString(1), "causal read after the write, through the collected reply");
                }
            }
            c.setAutoCommit(false);
            st.executeUpdate("UPDATE it_frws SET v = 'in trx' WHERE id = " + (base + 1));
            assertEquals("in trx", Db.scalarOf(st, "SELECT v FROM it_frws WHERE id = " + (base + 1)));
            assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id"), "in a transaction: the primary");
            c.rollback();
            c.setAutoCommit(true);
            assertEquals("v1", Db.scalarOf(st, "SELECT v FROM it_frws WHERE id = " + (base + 1)));
            assertEquals(primaryId, Db.scalarOf(st, "SELECT @@server_id -- maxscale route to master"));
            assertEquals("5", Db.scalarOf(st, "SELECT COUNT(*) FROM it_frws WHERE id BETWEEN " + base + " AND " + (base + 9)));
        }
    }

    @Test
    void multiStatementsAndPipelinedBatchesKeepTheirOrder() throws SQLException {
        try (Connection c = Db.app(proxy.port("frws"), "allowMultiQueries=true"); Statement st = c.createStatement()) {
            assertTrue(st.execute("SELECT 1; SELECT 2, 3; SELECT 'x'"));
            List<String> got = new java.util.ArrayList<>();
            do {
                try (ResultSet rs = st.getResultSet()) {
                    while (rs.next()) {
                        got.add(rs.getString(1));
                    }
                }
            } while (st.getMoreResults());
            assertEquals(List.of("1", "2", "x"), got);
        }
        // Connector/J sends a batch's statements before reading the replies (pipelining).
        try (Connection c = Db.app(proxy.port("frws"), "useBulkStmts=false", "useServerPrepStmts=false");
                PreparedStatement ps = c.prepareStatement("INSERT INTO it_frws VALUES (?, 'batch')")) {
            for (int i = 200; i < 230; i++) {
                ps.setInt(1, i);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            assertEquals(30, counts.length);
            try (Statement st = c.createStatement()) {
                assertEquals("30", Db.scalarOf(st, "SELECT COUNT(*) FROM it_frws WHERE v = 'batch'"));
            }
        }
    }

    @AfterAll
    static void everyStatementWasLoggedWithItsReplyTimeThenStop() throws Exception {
        try {
            checkLog();
        } finally {
            proxy.close();
        }
    }

    private static void checkLog() throws Exception {
        QlaFilter qla = (QlaFilter) proxy.runtime().filters().get("qla");
        assertTrue(qla.flush(5000));
        List<String> lines = Files.readAllLines(log);
        long prepared = lines.stream().filter(l -> l.contains("SELECT v FROM it_frws WHERE id = ?")).count();
        assertTrue(prepared >= 1, "the prepare (whose reply readwritesplit rebuilds) is logged");
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", 3);
            assertTrue(Double.parseDouble(f[1]) >= 0, l);
        }
        Object checked = proxy.runtime().filters().get("limit").diagnostics().get("result_sets_checked");
        assertTrue((Long) checked >= 10, "results collected: " + checked);
    }
}
