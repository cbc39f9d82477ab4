package io.loomscale.it;

import io.loomscale.filter.dbfwfilter.DbFwFilter;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dbfwfilter on the real cluster: each rule type refuses what it describes, including attempts
 * to get around it (comments, executable comments, quoting, case, aliases, prepared
 * statements), and lets the rest through; action=allow refuses what no rule matches;
 * limit_queries holds a session off; at_times; rules reload (a bad file keeps the old rules).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DbFwFilterIT {
    private static TestProxy proxy;
    private static Path rules;

    @BeforeAll
    static void setUp() throws Exception {
        TestCluster cluster = TestCluster.get();
        Path dir = TestProxy.projectDir().resolve("target/it/dbfwit-files");
        Files.createDirectories(dir);
        DateTimeFormatter f = DateTimeFormatter.ofPattern("HH:mm:ss");
        LocalTime now = LocalTime.now();
        rules = dir.resolve("block.rules");
        Files.writeString(rules, "# the block filter's rules\n"
                + "rule no_star deny wildcard\n"
                + "rule no_ssn deny columns ssn secret_col\n"
                + "rule no_sleep deny function sleep benchmark\n"
                + "rule no_drop deny regex '(?i)drop\\s+table'\n"
                + "rule no_where deny no_where_clause on_queries update|delete\n"
                + "rule timed_now deny regex 'it_fw_timed_now' at_times " + now.minusMinutes(30).format(f) + "-"
                + now.plusMinutes(30).format(f) + "\n"
                + "rule timed_later deny regex 'it_fw_timed_later' at_times " + now.plusHours(2).format(f) + "-"
                + now.plusHours(3).format(f) + "\n"
                + "users 'app'@'%' match any rules no_star no_ssn no_sleep no_drop no_where timed_now timed_later\n");
        Path allow = dir.resolve("allow.rules");
        Files.writeString(allow, "# Connector/J's connection set-up sends SET statements: allow them too\n"
                + "rule reads match regex '(?i)^\\s*(SELECT|SET)\\b'\nusers app@% match any rules reads\n");
        Path limit = dir.resolve("limit.rules");
        Files.writeString(limit, "rule burst deny limit_queries 20 10 2\nusers %@% match any rules burst\n");
        String creds = TestCluster.serviceCredentialsToml();
        String rcr = "router = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"rwsmon\"\n" + creds;
        String toml = RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + "[filter.block]\nmodule = \"dbfwfilter\"\nrules = \"" + rules + "\"\nlog_match = true\n\n"
                + "[filter.allow]\nmodule = \"dbfwfilter\"\nrules = \"" + allow + "\"\naction = \"allow\"\nlog_no_match = true\n\n"
                + "[filter.limit]\nmodule = \"dbfwfilter\"\nrules = \"" + limit + "\"\n\n"
                + "[service.block]\n" + rcr + "filters = [\"block\"]\n\n"
                + "[service.allow]\n" + rcr + "filters = [\"allow\"]\n\n"
                + "[service.limit]\n" + rcr + "filters = [\"limit\"]\n\n"
                + TestProxy.listener("block", "block", TestProxy.freePort())
                + TestProxy.listener("allow", "allow", TestProxy.freePort())
                + TestProxy.listener("limit", "limit", TestProxy.freePort());
        proxy = TestProxy.start("dbfwit", toml);
        RwsConfigs.awaitRoles(proxy);
        Db.rootOnPrimary("CREATE OR REPLACE TABLE test.it_fw (id INT PRIMARY KEY, name VARCHAR(20), ssn VARCHAR(20))",
                "INSERT INTO test.it_fw VALUES (1, 'a', 'x'), (2, 'b', 'y')");
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static void refused(Statement st, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), sql);
        assertEquals(1141, e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("database firewall"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT * FROM it_fw",
        "SELECT/**/*/**/FROM it_fw",
        "SELECT t.* FROM it_fw AS t",
        "SELECT id, ssn FROM it_fw",
        "SELECT id, SSN AS harmless FROM it_fw",
        "SELECT `ssn` FROM it_fw",
        "SELECT id /*!50000 , ssn */ FROM it_fw",
        "SELECT SLEEP (0)",
        "SELECT id FROM it_fw WHERE BENCHMARK(1, 1) = 0",
        "DrOp   TABLE it_fw_nonexistent",
        "UPDATE it_fw SET name = 'z'",
        "DELETE FROM it_fw",
        "SELECT 'it_fw_timed_now'",
    })
    void matchingStatementsAreRefusedAndTheSessionGoesOn(String sql) throws SQLException {
        try (Connection c = Db.app(proxy.port("block")); Statement st = c.createStatement()) {
            refused(st, sql);
            assertEquals("2", Db.scalarOf(st, "SELECT COUNT(*) FROM it_fw"), "COUNT(*) is no wildcard; the session goes on");
        }
        try (Connection c = Db.app(proxy.port("block"), "useServerPrepStmts=true")) {
            SQLException e = assertThrows(SQLException.class, () -> c.prepareStatement(sql).execute(), "prepared: " + sql);
            assertEquals(1141, e.getErrorCode(), e.getMessage());
        }
    }

    @Test
    void statementsNoRuleMatchesPass() throws SQLException {
        try (Connection c = Db.app(proxy.port("block")); Statement st = c.createStatement()) {
            assertEquals("a", Db.scalarOf(st, "SELECT name FROM it_fw WHERE id = 1"));
            assertEquals(1, st.executeUpdate("UPDATE it_fw SET name = 'a' WHERE id = 1"));
            assertEquals("it_fw_timed_later", Db.scalarOf(st, "SELECT 'it_fw_timed_later'"), "outside at_times");
            assertEquals("ssn-like text", Db.scalarOf(st, "SELECT 'ssn-like text'"), "a string is no column");
        }
    }

    @Test
    void actionAllowRefusesWhatNoRuleMatches() throws SQLException {
        try (Connection c = Db.app(proxy.port("allow")); Statement st = c.createStatement()) {
            assertEquals("2", Db.scalarOf(st, "SELECT COUNT(*) FROM it_fw"));
            refused(st, "UPDATE it_fw SET name = 'q' WHERE id = 2");
            assertEquals("b", Db.scalarOf(st, "SELECT name FROM it_fw WHERE id = 2"), "the refused UPDATE did not run");
        }
    }

    @Test
    void limitQueriesHoldsTheSessionOff() throws Exception {
        try (Connection c = Db.app(proxy.port("limit")); Statement st = c.createStatement()) {
            // 20 statements in 10 s pass (Connector/J's set-up statements count too), the 21st is refused.
            int passed = 0;
            while (passed < 21) {
                try {
                    assertEquals(String.valueOf(passed), Db.scalarOf(st, "SELECT " + passed));
                    passed++;
                } catch (SQLException e) {
                    assertEquals(1141, e.getErrorCode(), e.getMessage());
                    break;
                }
            }
            assertTrue(passed >= 10 && passed < 20, "statements before the limit: " + passed);
            refused(st, "SELECT 'held off'");
            Thread.sleep(2300);
            assertEquals("7", Db.scalarOf(st, "SELECT 7"), "after the 2 s holdoff");
        }
    }

    @Test
    void rulesReloadAndABadFileKeepsTheOldRules() throws Exception {
        DbFwFilter fw = (DbFwFilter) proxy.runtime().filters().get("block");
        String original = Files.readString(rules);
        try (Connection c = Db.app(proxy.port("block")); Statement st = c.createStatement()) {
            refused(st, "SELECT ssn FROM it_fw WHERE id = 1");
            Files.writeString(rules, "rule no_name deny columns name\nusers app@% match any rules no_name\n");
            assertNull(fw.reload());
            assertEquals("x", Db.scalarOf(st, "SELECT ssn FROM it_fw WHERE id = 1"), "new rules in the same session");
            refused(st, "SELECT name FROM it_fw WHERE id = 1");
            Files.writeString(rules, "rule broken deny columns\nusers app@% match any rules broken\n");
            String why = fw.reload();
            assertTrue(why != null && why.contains("line 1") && why.contains("needs at least one name"), why);
            refused(st, "SELECT name FROM it_fw WHERE id = 1");
        } finally {
            Files.writeString(rules, original);
            assertNull(fw.reload());
        }
    }
}
