package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * maxrows against the real cluster with Connector/J, text and binary protocol, through
 * readconnroute and readwritesplit: results over the row or size limit come back empty (with
 * their columns), as an error or as OK; results within pass unchanged; the session goes on.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MaxRowsIT {
    private static TestProxy proxy;

    @BeforeAll
    static void setUp() throws Exception {
        TestCluster cluster = TestCluster.get();
        String creds = TestCluster.serviceCredentialsToml();
        String rcr = "router = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"rwsmon\"\n" + creds;
        String toml = RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + "[filter.rows5]\nmodule = \"maxrows\"\nmax_resultset_rows = 5\n\n"
                + "[filter.rows5err]\nmodule = \"maxrows\"\nmax_resultset_rows = 5\nmax_resultset_return = \"error\"\n\n"
                + "[filter.size1k]\nmodule = \"maxrows\"\nmax_resultset_size = \"1Ki\"\nmax_resultset_return = \"ok\"\n\n"
                + "[filter.dflt]\nmodule = \"maxrows\"\ndebug = 1\n\n"
                + "[service.empty]\n" + rcr + "filters = [\"rows5\"]\n\n"
                + "[service.size]\n" + rcr + "filters = [\"size1k\"]\n\n"
                + RwsConfigs.service("rwerr", "filters = [\"rows5err\"]\n")
                + RwsConfigs.service("rwdflt", "filters = [\"dflt\"]\n")
                + TestProxy.listener("empty", "empty", TestProxy.freePort())
                + TestProxy.listener("size", "size", TestProxy.freePort())
                + TestProxy.listener("rwerr", "rwerr", TestProxy.freePort())
                + TestProxy.listener("rwdflt", "rwdflt", TestProxy.freePort());
        proxy = TestProxy.start("maxrowsit", toml);
        RwsConfigs.awaitRoles(proxy);
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static int count(ResultSet rs) throws SQLException {
        int n = 0;
        while (rs.next()) {
            n++;
        }
        return n;
    }

    @ParameterizedTest(name = "useServerPrepStmts={0}")
    @ValueSource(booleans = {false, true})
    void overTheRowLimitTheClientGetsTheColumnsAndNoRows(boolean binary) throws SQLException {
        try (Connection c = Db.app(proxy.port("empty"), "useServerPrepStmts=" + binary)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, seq * 2 AS twice FROM seq_1_to_10 WHERE seq > ?")) {
                ps.setInt(1, 0);
                try (ResultSet rs = ps.executeQuery()) {
                    assertEquals(2, rs.getMetaData().getColumnCount());
                    assertEquals("twice", rs.getMetaData().getColumnLabel(2));
                    assertEquals(0, count(rs), "10 rows > 5: none");
                }
                ps.setInt(1, 5);
                try (ResultSet rs = ps.executeQuery()) {
                    assertEquals(5, count(rs), "5 rows: all");
                }
            }
            assertEquals("1", Db.scalar(c, "SELECT 1"), "the session goes on");
            assertEquals(0, c.createStatement().executeUpdate("CREATE OR REPLACE TABLE it_maxrows_t (k INT)"));
        }
    }

    @Test
    void errorModeThroughReadwritesplitNamesTheStatementAndTheSessionGoesOn() throws SQLException {
        try (Connection c = Db.app(proxy.port("rwerr")); Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.executeQuery("SELECT seq FROM seq_1_to_6"));
            assertTrue(e.getMessage().contains("maxrows") && e.getMessage().contains("SELECT seq FROM seq_1_to_6"),
                    e.getMessage());
            try (ResultSet rs = st.executeQuery("SELECT seq FROM seq_1_to_3")) {
                assertEquals(3, count(rs));
            }
            st.executeUpdate("CREATE OR REPLACE TABLE it_maxrows_rw (k INT)");
            assertEquals(4, st.executeUpdate("INSERT INTO it_maxrows_rw SELECT seq FROM seq_1_to_4"));
        }
    }

    @Test
    void overTheSizeLimitOkModeAnswersOk() throws SQLException {
        try (Connection c = Db.app(proxy.port("size")); Statement st = c.createStatement()) {
            assertFalse(st.execute("SELECT REPEAT('x', 2000)"), "an OK instead of the result");
            assertEquals(0, st.getUpdateCount());
            assertTrue(st.execute("SELECT REPEAT('x', 100)"), "a small result passes");
            try (ResultSet rs = st.getResultSet()) {
                assertTrue(rs.next());
                assertEquals(100, rs.getString(1).length());
            }
        }
    }

    @ParameterizedTest(name = "useServerPrepStmts={0}")
    @ValueSource(booleans = {false, true})
    void aHugeResultIsCutAtTheDefaultSizeAndTheClientGetsItsColumns(boolean binary) throws SQLException {
        long before = (Long) proxy.runtime().filters().get("dflt").diagnostics().get("result_sets_limited");
        try (Connection c = Db.app(proxy.port("rwdflt"), "useServerPrepStmts=" + binary);
                PreparedStatement ps = c.prepareStatement("SELECT seq, REPEAT('y', 1000) AS pad FROM seq_1_to_5000 WHERE seq > ?")) {
            ps.setInt(1, 0);
            try (ResultSet rs = ps.executeQuery()) { // 5 MB > 64 KiB
                assertEquals("pad", rs.getMetaData().getColumnLabel(2));
                assertEquals(0, count(rs));
            }
            ps.setInt(1, 4990);
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(10, count(rs), "10 KB passes");
            }
        }
        long after = (Long) proxy.runtime().filters().get("dflt").diagnostics().get("result_sets_limited");
        assertEquals(before + 1, after);
    }
}
