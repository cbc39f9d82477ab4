package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The masking filter on the real cluster, against attempts to get around it: {@code SELECT *},
 * aliases, comments, functions, subqueries, UNION, prepared statements (binary rows, cursor
 * fetch), a stored procedure. Unmasked columns must come through as the server sent them.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MaskingFilterIT {
    private static final String SSN = "123-45-6789";
    private static final String CARD = "1234567890123456";
    private static TestProxy proxy;

    @BeforeAll
    static void setUp() throws Exception {
        TestCluster cluster = TestCluster.get();
        Path dir = TestProxy.projectDir().resolve("target/it/maskingit-files");
        Files.createDirectories(dir);
        Path rules = dir.resolve("masking.json");
        Files.writeString(rules, """
                {
                  "rules": [
                    {"replace": {"column": "ssn"}, "with": {"value": "XXX-XX-XXXX", "fill": "#"}},
                    {"replace": {"table": "it_mask_people", "column": "card"}, "match": "^[0-9]{12}", "with": {"fill": "*"}},
                    {"obfuscate": {"column": "name"}},
                    {"replace": {"column": "age"}},
                    {"replace": {"column": "nick"}, "applies_to": ["'nobody'@'%'"]}
                  ]
                }
                """);
        String creds = TestCluster.serviceCredentialsToml();
        String toml = RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + "[filter.mask]\nmodule = \"masking\"\nrules = \"" + rules + "\"\nwarn_type_mismatch = \"always\"\n\n"
                + "[service.masked]\nrouter = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"rwsmon\"\n" + creds
                + "filters = [\"mask\"]\n\n"
                + TestProxy.listener("masked", "masked", TestProxy.freePort());
        proxy = TestProxy.start("maskingit", toml);
        RwsConfigs.awaitRoles(proxy);
        Db.rootOnPrimary("CREATE OR REPLACE TABLE test.it_mask_people (id INT PRIMARY KEY, name VARCHAR(50), ssn VARCHAR(20),"
                        + " card TEXT, age INT, nick VARCHAR(20))",
                "INSERT INTO test.it_mask_people VALUES (1, 'Alice', '" + SSN + "', '" + CARD + "', 41, 'al'),"
                        + " (2, 'Bob', '12-345', '9999', 30, NULL), (3, NULL, NULL, NULL, NULL, 'b')",
                "CREATE OR REPLACE PROCEDURE test.it_mask_proc() BEGIN SELECT ssn FROM test.it_mask_people WHERE id = 1; "
                        + "SELECT nick FROM test.it_mask_people WHERE id = 1; END");
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static List<String> rows(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                sb.append(i > 1 ? "|" : "").append(rs.getString(i));
            }
            out.add(sb.toString());
        }
        return out;
    }

    @ParameterizedTest(name = "useServerPrepStmts={0}")
    @ValueSource(booleans = {false, true})
    void maskedColumnsAreReplacedInTextAndBinaryResults(boolean binary) throws SQLException {
        try (Connection c = Db.app(proxy.port("masked"), "useServerPrepStmts=" + binary);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id, ssn, card, name, age, nick FROM it_mask_people WHERE id > ? ORDER BY id")) {
            ps.setInt(1, 0);
            List<String> got;
            try (ResultSet rs = ps.executeQuery()) {
                got = rows(rs);
            }
            String[] alice = got.get(0).split("\\|");
            assertEquals("XXX-XX-XXXX", alice[1], "value of the same length");
            assertEquals("************3456", alice[2], "partial: the first 12 digits");
            assertEquals(5, alice[3].length(), "obfuscated to the same length");
            assertNotEquals("Alice", alice[3]);
            assertEquals("41", alice[4], "INT: not a string type, not masked");
            assertEquals("al", alice[5], "the nick rule applies to another user");
            String[] bob = got.get(1).split("\\|");
            assertEquals("######", bob[1], "other length: fill");
            assertEquals("9999", bob[2], "no match: unchanged");
            assertEquals("3|null|null|null|null|b", got.get(2), "NULLs stay NULL");
            // Obfuscation is stable.
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(got, rows(rs));
            }
        }
    }

    @Test
    void starAliasesAndCommentsAreMaskedToo() throws SQLException {
        try (Connection c = Db.app(proxy.port("masked")); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT * FROM it_mask_people WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals("XXX-XX-XXXX", rs.getString("ssn"));
            }
            assertEquals("XXX-XX-XXXX", Db.scalarOf(st, "SELECT ssn AS not_the_ssn FROM it_mask_people WHERE id = 1"));
            assertEquals("XXX-XX-XXXX", Db.scalarOf(st, "SELECT /* hi */ p.ssn FROM it_mask_people AS p WHERE id = 1"));
            assertEquals("XXX-XX-XXXX", Db.scalarOf(st, "SELECT `ssn` FROM `test`.`it_mask_people` WHERE id = 1"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT CONCAT(ssn) FROM it_mask_people",
        "SELECT UPPER(/* c */ ssn) FROM it_mask_people",
        "SELECT CAST(ssn AS CHAR) FROM it_mask_people",
        "SELECT SUBSTRING(ssn, 1, 3) FROM it_mask_people",
        "SELECT x FROM (SELECT ssn AS x FROM it_mask_people) AS d",
        "SELECT name FROM it_mask_people UNION SELECT ssn FROM it_mask_people",
        "SELECT /*!CONCAT(ssn)*/ FROM it_mask_people",
        "SELECT id FROM it_mask_people WHERE LEFT(ssn, 1) = '1'",
        "SELECT ssn + 0 FROM it_mask_people",
        "SELECT 0 | ssn FROM it_mask_people",
    })
    void statementsThatCouldRevealAMaskedColumnAreRefused(String sql) throws SQLException {
        try (Connection c = Db.app(proxy.port("masked")); Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.executeQuery(sql));
            assertTrue(e.getMessage().contains("masking filter"), e.getMessage());
            assertEquals("1", Db.scalarOf(st, "SELECT 1"), "the session goes on");
        }
        try (Connection c = Db.app(proxy.port("masked"), "useServerPrepStmts=true")) {
            SQLException e = assertThrows(SQLException.class, () -> c.prepareStatement(sql).executeQuery());
            assertTrue(e.getMessage().contains("masking filter"), "prepared: " + e.getMessage());
        }
    }

    @Test
    void rowsFetchedThroughACursorAreMasked() throws SQLException {
        try (Connection c = Db.app(proxy.port("masked"), "useServerPrepStmts=true", "useCursorFetch=true");
                PreparedStatement ps = c.prepareStatement("SELECT ssn, nick FROM it_mask_people WHERE id < ? ORDER BY id")) {
            ps.setFetchSize(1);
            ps.setInt(1, 3);
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(List.of("XXX-XX-XXXX|al", "######|null"), rows(rs));
            }
        }
    }

    @Test
    void aStoredProceduresResultSetsAreMasked() throws SQLException {
        try (Connection c = Db.app(proxy.port("masked")); CallableStatement cs = c.prepareCall("{CALL it_mask_proc()}")) {
            assertTrue(cs.execute());
            try (ResultSet rs = cs.getResultSet()) {
                assertEquals(List.of("XXX-XX-XXXX"), rows(rs));
            }
            assertTrue(cs.getMoreResults());
            try (ResultSet rs = cs.getResultSet()) {
                assertEquals(List.of("al"), rows(rs));
            }
        }
    }

    @Test
    void unmaskedResultsAreWhatTheServerSent() throws SQLException {
        TestCluster cluster = TestCluster.get();
        String q = "SELECT id, age, nick, ssn IS NULL FROM it_mask_people ORDER BY id";
        List<String> direct;
        try (Connection c = Db.connect(cluster.primaryPort(), "test", Db.APP, Db.APP_PW); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(q)) {
            direct = rows(rs);
        }
        try (Connection c = Db.app(proxy.port("masked")); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
            assertEquals(direct, rows(rs));
        }
    }
}
