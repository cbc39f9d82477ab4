package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Statements through readconnroute (the {@code write} listener) with Connector/J: text and binary
 * protocol, results of every common type, OK packets, errors, multi-statements, a stored
 * procedure with two result sets and an OUT parameter, batches by every path Connector/J has, and
 * cursor fetch. What the client gets must be what the server sends.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QueryIT {
    private static final String UTF8_TEXT = "h\u00e9llo \u2713 \ud83d\ude00";

    static TestProxy proxy;

    @BeforeAll
    static void setUp() throws SQLException {
        proxy = TestProxy.shared();
        try (Connection c = Db.app(proxy.writePort())) {
            Db.exec(c,
                    "CREATE OR REPLACE TABLE it_query_types (id INT PRIMARY KEY, i INT, bi BIGINT, ub BIGINT UNSIGNED,"
                            + " ti TINYINT, dc DECIMAL(20,6), db DOUBLE, fl FLOAT, vc VARCHAR(100), tx MEDIUMTEXT, dt DATE,"
                            + " dtm DATETIME(6), tm TIME(3), ts TIMESTAMP(3) NULL, bt BIT(8), en ENUM('a','b'),"
                            + " js JSON, bl BLOB)",
                    "INSERT INTO it_query_types VALUES (1, -2147483648, 9223372036854775807, 18446744073709551615,"
                            + " -128, 12345678901234.123456, 2.5e300, 1.5, '" + UTF8_TEXT + "', REPEAT('t', 70000),"
                            + " '2024-02-29', '2024-02-29 23:59:58.123456', '-838:59:59.000', '2038-01-19 03:14:07.999',"
                            + " b'10100101', 'b', '{\"k\": [1, 2]}', x'00ff10')",
                    "INSERT INTO it_query_types (id) VALUES (2)",
                    "CREATE OR REPLACE TABLE it_query_ai (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20))");
        }
    }

    @Test
    void plainStatementsReturnTheirRows() throws SQLException {
        try (Connection c = Db.app(proxy.writePort()); Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE TABLE it_query_plain (k INT PRIMARY KEY, v VARCHAR(10))");
            assertEquals(3, st.executeUpdate("INSERT INTO it_query_plain VALUES (1, 'one'), (2, 'two'), (3, 'three')"));
            List<String> got = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT k, v FROM it_query_plain ORDER BY k DESC")) {
                while (rs.next()) {
                    got.add(rs.getInt(1) + "=" + rs.getString(2));
                }
            }
            assertEquals(List.of("3=three", "2=two", "1=one"), got);
            assertEquals("6", Db.scalar(c, "SELECT SUM(k) FROM it_query_plain"));
        }
    }

    @ParameterizedTest(name = "useServerPrepStmts={0}")
    @ValueSource(booleans = {false, true})
    void everyCommonTypeSurvivesTheRoundTrip(boolean serverPrep) throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "useServerPrepStmts=" + serverPrep);
                PreparedStatement ps = c.prepareStatement("SELECT * FROM it_query_types WHERE id = ?")) {
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "row 1");
                assertAll(
                        () -> assertEquals(Integer.MIN_VALUE, rs.getInt("i")),
                        () -> assertEquals(Long.MAX_VALUE, rs.getLong("bi")),
                        () -> assertEquals(new BigDecimal("18446744073709551615"), rs.getBigDecimal("ub")),
                        () -> assertEquals(-128, rs.getInt("ti")),
                        () -> assertEquals(new BigDecimal("12345678901234.123456"), rs.getBigDecimal("dc")),
                        () -> assertEquals(2.5e300, rs.getDouble("db")),
                        () -> assertEquals(1.5f, rs.getFloat("fl")),
                        () -> assertEquals(UTF8_TEXT, rs.getString("vc")),
                        () -> assertEquals("t".repeat(70000), rs.getString("tx")),
                        () -> assertEquals(LocalDate.of(2024, 2, 29), rs.getObject("dt", LocalDate.class)),
                        () -> assertEquals(LocalDateTime.of(2024, 2, 29, 23, 59, 58, 123_456_000),
                                rs.getObject("dtm", LocalDateTime.class)),
                        () -> assertEquals("-838:59:59.000", rs.getString("tm")),
                        () -> assertEquals(LocalDateTime.of(2038, 1, 19, 3, 14, 7, 999_000_000),
                                rs.getObject("ts", LocalDateTime.class)),
                        () -> assertEquals(0xa5, rs.getLong("bt")),
                        () -> assertEquals("b", rs.getString("en")),
                        () -> assertEquals("{\"k\": [1, 2]}", rs.getString("js")),
                        () -> assertArrayEquals(new byte[] {0, (byte) 0xff, 0x10}, rs.getBytes("bl")));
                assertFalse(rs.next(), "only one row has id 1");
            }
            ps.setInt(1, 2);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "row 2");
                ResultSetMetaData md = rs.getMetaData();
                assertEquals(18, md.getColumnCount());
                assertEquals(2, rs.getInt(1));
                for (int i = 2; i <= md.getColumnCount(); i++) {
                    assertNull(rs.getObject(i), md.getColumnName(i) + " of row 2");
                    assertTrue(rs.wasNull(), md.getColumnName(i) + " wasNull");
                }
            }
        }
    }

    @ParameterizedTest(name = "useServerPrepStmts={0}")
    @ValueSource(booleans = {false, true})
    void emptyResultKeepsItsColumns(boolean serverPrep) throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "useServerPrepStmts=" + serverPrep);
                PreparedStatement ps = c.prepareStatement("SELECT id, vc AS name FROM it_query_types WHERE id > ?")) {
            ps.setInt(1, 1000);
            try (ResultSet rs = ps.executeQuery()) {
                assertFalse(rs.next());
                assertEquals(2, rs.getMetaData().getColumnCount());
                assertEquals("name", rs.getMetaData().getColumnLabel(2));
                assertEquals(Types.VARCHAR, rs.getMetaData().getColumnType(2));
            }
            assertEquals("1", Db.scalar(c, "SELECT 1"), "the connection still answers");
        }
    }

    @ParameterizedTest(name = "useServerPrepStmts={0}")
    @ValueSource(booleans = {false, true})
    void insertReturnsAffectedRowsAndGeneratedKey(boolean serverPrep) throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "useServerPrepStmts=" + serverPrep);
                PreparedStatement ps = c.prepareStatement("INSERT INTO it_query_ai (v) VALUES (?)",
                        Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, "first");
            assertEquals(1, ps.executeUpdate());
            long id;
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertTrue(keys.next(), "a generated key");
                id = keys.getLong(1);
            }
            assertEquals(String.valueOf(id), Db.scalar(c, "SELECT LAST_INSERT_ID()"));
            assertEquals("first", Db.scalar(c, "SELECT v FROM it_query_ai WHERE id = " + id));
            try (Statement st = c.createStatement()) {
                assertEquals(1, st.executeUpdate("UPDATE it_query_ai SET v = 'changed' WHERE id = " + id));
                assertEquals(1, st.executeUpdate("UPDATE it_query_ai SET v = 'changed' WHERE id = " + id),
                        "Connector/J asks for found rows (CLIENT_FOUND_ROWS) by default");
                assertEquals(0, st.executeUpdate("DELETE FROM it_query_ai WHERE id = -1"));
            }
        }
    }

    @Test
    void useAffectedRowsCountsOnlyChangedRows() throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "useAffectedRows=true"); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO it_query_ai (v) VALUES ('same')");
            assertEquals(0, st.executeUpdate("UPDATE it_query_ai SET v = 'same' WHERE v = 'same'"),
                    "without CLIENT_FOUND_ROWS an update to the same value affects no row");
            assertEquals(1, st.executeUpdate("UPDATE it_query_ai SET v = 'other' WHERE v = 'same'"));
        }
    }

    @Test
    void extendedColumnTypesReachTheClientAsTheyDoDirect() throws SQLException {
        String sql = "SELECT j, s FROM it_query_json";
        String direct;
        try (Connection c = Db.app(TestCluster.get().primaryPort()); Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE TABLE it_query_json (j JSON, s VARCHAR(10))");
            st.execute("INSERT INTO it_query_json VALUES ('[1, 2]', 'x')");
            try (java.sql.ResultSet rs = st.executeQuery(sql)) {
                direct = rs.getMetaData().getColumnTypeName(1) + "," + rs.getMetaData().getColumnTypeName(2);
            }
        }
        assertEquals("JSON,VARCHAR", direct, "the server's extended metadata: format=json");
        for (boolean serverPrep : new boolean[] {false, true}) {
            try (Connection c = Db.app(proxy.writePort(), "useServerPrepStmts=" + serverPrep);
                 java.sql.PreparedStatement ps = c.prepareStatement(sql); java.sql.ResultSet rs = ps.executeQuery()) {
                assertEquals(direct, rs.getMetaData().getColumnTypeName(1) + "," + rs.getMetaData().getColumnTypeName(2),
                        "through the proxy, server-side prepare " + serverPrep);
            }
        }
    }

    @Test
    void syntaxErrorIsTheServersErr1064AndTheConnectionStaysUsable() throws SQLException {
        String sql = "SELEC 1 FROM nowhere";
        SQLException direct;
        try (Connection c = Db.app(TestCluster.get().primaryPort())) {
            direct = assertThrows(SQLException.class, () -> Db.exec(c, sql));
        }
        try (Connection c = Db.app(proxy.writePort())) {
            SQLException e = assertThrows(SQLException.class, () -> Db.exec(c, sql));
            assertAll(
                    () -> assertEquals(1064, e.getErrorCode()),
                    () -> assertEquals("42000", e.getSQLState()),
                    () -> assertEquals(withoutConnId(direct.getMessage()), withoutConnId(e.getMessage())),
                    () -> assertTrue(e.getMessage().contains("You have an error in your SQL syntax"), e.getMessage()));
            assertEquals("2", Db.scalar(c, "SELECT 1 + 1"));
        }
    }

    /** Connector/J prefixes messages with "(conn=ID) "; the id differs between proxy and server. */
    static String withoutConnId(String message) {
        return message.replaceFirst("\\(conn=\\d+\\) ", "");
    }

    @Test
    void multiStatementsReturnEveryResultInOrder() throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "allowMultiQueries=true"); Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE TABLE it_query_multi (k INT)");
            assertTrue(st.execute("SELECT 1 AS a; SELECT 2 AS b, 'three' AS c; INSERT INTO it_query_multi VALUES (1), (2);"
                    + " SELECT COUNT(*) FROM it_query_multi; DO 0"));
            try (ResultSet rs = st.getResultSet()) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
                assertFalse(rs.next());
            }
            assertTrue(st.getMoreResults(), "second result set");
            try (ResultSet rs = st.getResultSet()) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
                assertEquals("three", rs.getString(2));
            }
            assertFalse(st.getMoreResults(), "the INSERT has no result set");
            assertEquals(2, st.getUpdateCount());
            assertTrue(st.getMoreResults(), "the COUNT");
            try (ResultSet rs = st.getResultSet()) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
            }
            assertFalse(st.getMoreResults(), "DO 0");
            assertEquals(0, st.getUpdateCount());
            assertFalse(st.getMoreResults());
            assertEquals(-1, st.getUpdateCount(), "no more results");
            assertEquals("7", Db.scalar(c, "SELECT 7"), "the connection is in sync after the last result");
        }
    }

    @Test
    void storedProcedureReturnsTwoResultSetsAndItsOutParameter() throws SQLException {
        try (Connection c = Db.app(proxy.writePort())) {
            Db.exec(c, "CREATE OR REPLACE PROCEDURE it_query_proc(IN a INT, OUT b INT) BEGIN"
                    + " SELECT a AS first_value; SELECT a * 2 AS second_value, 'x' AS tag; SET b = a * 3; END");
            try (CallableStatement cs = c.prepareCall("{call it_query_proc(?, ?)}")) {
                cs.setInt(1, 7);
                cs.registerOutParameter(2, Types.INTEGER);
                assertTrue(cs.execute(), "first result is a result set");
                try (ResultSet rs = cs.getResultSet()) {
                    assertTrue(rs.next());
                    assertEquals(7, rs.getInt("first_value"));
                    assertFalse(rs.next());
                }
                assertTrue(cs.getMoreResults(), "second result set");
                try (ResultSet rs = cs.getResultSet()) {
                    assertTrue(rs.next());
                    assertEquals(14, rs.getInt("second_value"));
                    assertEquals("x", rs.getString("tag"));
                }
                assertEquals(21, cs.getInt(2), "OUT parameter");
            }
            assertEquals("8", Db.scalar(c, "SELECT 8"), "the connection is in sync after the CALL");
        }
    }

    @ParameterizedTest(name = "useServerPrepStmts={0}")
    @ValueSource(booleans = {false, true})
    void preparedStatementIsReusedWithNewParameters(boolean serverPrep) throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "useServerPrepStmts=" + serverPrep);
                PreparedStatement ps = c.prepareStatement("SELECT ? * 2, CONCAT(?, '!'), ? IS NULL")) {
            for (int i = 0; i < 50; i++) {
                ps.setInt(1, i);
                ps.setString(2, "s" + i);
                ps.setNull(3, Types.INTEGER);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(i * 2, rs.getInt(1));
                    assertEquals("s" + i + "!", rs.getString(2));
                    assertTrue(rs.getBoolean(3));
                }
            }
        }
    }

    /** Every batch path of Connector/J 3.5: COM_STMT_BULK_EXECUTE, pipelined executes, text. */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "useBulkStmts=true", "useBulkStmts=false&useBulkStmtsForInserts=false",
            "rewriteBatchedStatements=true", "useServerPrepStmts=true",
            "useServerPrepStmts=true&useBulkStmts=false&useBulkStmtsForInserts=false",
            "useServerPrepStmts=true&useBulkStmts=true"})
    void batchInsertsAndUpdatesEveryRow(String options) throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), options)) {
            Db.exec(c, "CREATE OR REPLACE TABLE it_query_batch (id INT AUTO_INCREMENT PRIMARY KEY, v INT, s VARCHAR(20))");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO it_query_batch (v, s) VALUES (?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 1; i <= 200; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "row" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertEquals(200, counts.length);
                for (int n : counts) {
                    assertTrue(n == 1 || n == Statement.SUCCESS_NO_INFO, "update count " + n);
                }
                List<Long> keys = new ArrayList<>();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    while (rs.next()) {
                        keys.add(rs.getLong(1));
                    }
                }
                assertEquals(200, keys.size(), "one generated key per row");
            }
            assertEquals("200 20100 row137", Db.scalar(c,
                    "SELECT CONCAT(COUNT(*), ' ', SUM(v), ' ', (SELECT s FROM it_query_batch WHERE v = 137)) FROM it_query_batch"));
            try (PreparedStatement ps = c.prepareStatement("UPDATE it_query_batch SET v = v + ? WHERE v = ?")) {
                for (int i = 1; i <= 100; i++) {
                    ps.setInt(1, 1000);
                    ps.setInt(2, i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertEquals(100, counts.length);
            }
            assertEquals("100", Db.scalar(c, "SELECT COUNT(*) FROM it_query_batch WHERE v > 1000"));
            try (Statement st = c.createStatement()) {
                st.addBatch("INSERT INTO it_query_batch (v, s) VALUES (-1, 'text')");
                st.addBatch("UPDATE it_query_batch SET s = 'text2' WHERE v = -1");
                st.addBatch("DELETE FROM it_query_batch WHERE v > 1000");
                assertArrayEquals(new int[] {1, 1, 100}, st.executeBatch());
            }
            assertEquals("101", Db.scalar(c, "SELECT COUNT(*) FROM it_query_batch"));
        }
    }

    @Test
    void errorInTheMiddleOfMultiStatementsEndsThemAndKeepsTheConnection() throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "allowMultiQueries=true"); Statement st = c.createStatement()) {
            // Connector/J reads every result of the packet at once, so the error surfaces in execute()
            SQLException e = assertThrows(SQLException.class, () -> st.execute("SELECT 1; SELEC 2; SELECT 3"));
            assertEquals(1064, e.getErrorCode());
            assertTrue(e.getMessage().contains("near 'SELEC 2; SELECT 3'"), e.getMessage());
            assertEquals("4", Db.scalar(c, "SELECT 4"), "SELECT 3 was never run; the connection is in sync");
        }
    }

    @Test
    void resultWithThreeHundredColumnsIsWhole() throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 1; i <= 300; i++) {
            sql.append(i == 1 ? "" : ", ").append(i).append(" AS c").append(i);
        }
        try (Connection c = Db.app(proxy.writePort()); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql.toString())) {
            assertEquals(300, rs.getMetaData().getColumnCount(), "a column count above 250 is a 3-byte length");
            assertTrue(rs.next());
            assertEquals(300, rs.getInt("c300"));
            assertFalse(rs.next());
        }
    }

    @Test
    void warningsReachTheClient() throws SQLException {
        try (Connection c = Db.app(proxy.writePort()); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT 1 / 0, CAST('x' AS INT)")) {
            assertTrue(rs.next());
            assertNull(rs.getObject(1));
            java.sql.SQLWarning w = st.getWarnings(); // SHOW WARNINGS, sent when the EOF counted some
            assertTrue(w != null, "warnings of the SELECT");
            assertEquals(1365, w.getErrorCode(), w.getMessage());
            assertEquals("2", Db.scalar(c, "SELECT 2"));
        }
    }

    @Test
    void streamParameterIsSentAsLongData() throws Exception {
        byte[] data = new byte[3 << 20];
        new java.util.Random(3).nextBytes(data);
        try (Connection c = Db.app(proxy.writePort(), "useServerPrepStmts=true")) {
            Db.exec(c, "CREATE OR REPLACE TABLE it_query_long_data (id INT PRIMARY KEY, b LONGBLOB, t LONGTEXT)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO it_query_long_data VALUES (1, ?, ?)")) {
                ps.setBinaryStream(1, new java.io.ByteArrayInputStream(data));
                ps.setCharacterStream(2, new java.io.StringReader("z".repeat(100_000)));
                assertEquals(1, ps.executeUpdate());
            }
            assertEquals(data.length + " " + LargeDataIT.md5(data) + " 100000", Db.scalar(c,
                    "SELECT CONCAT(LENGTH(b), ' ', MD5(b), ' ', LENGTH(t)) FROM it_query_long_data"));
        }
    }

    @Test
    void compressionRequestFallsBackToPlainProtocol() throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "useCompression=true")) {
            assertEquals("x".repeat(5000), Db.scalar(c, "SELECT REPEAT('x', 5000)"));
        }
    }

    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {0, 5, 10, 11})
    void cursorFetchOfASmallResultEndsCleanly(int rows) throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "useCursorFetch=true");
                PreparedStatement ps = c.prepareStatement("SELECT seq FROM seq_1_to_100 WHERE seq <= ?")) {
            ps.setFetchSize(10);
            ps.setInt(1, rows);
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertEquals(++n, rs.getInt(1));
                }
            }
            assertEquals(rows, n);
            assertEquals("5", Db.scalar(c, "SELECT 5"), "in sync after the cursor");
        }
    }

    @Test
    void twoOpenCursorsAreReadAlternately() throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "useCursorFetch=true");
                PreparedStatement a = c.prepareStatement("SELECT seq FROM seq_1_to_100");
                PreparedStatement b = c.prepareStatement("SELECT seq * 1000 FROM seq_1_to_100")) {
            a.setFetchSize(7);
            b.setFetchSize(3);
            try (ResultSet ra = a.executeQuery(); ResultSet rb = b.executeQuery()) {
                for (int i = 1; i <= 100; i++) {
                    assertTrue(ra.next() && rb.next(), "row " + i);
                    assertEquals(i, ra.getInt(1));
                    assertEquals(i * 1000, rb.getInt(1));
                }
                assertFalse(ra.next() || rb.next());
            }
        }
    }

    @Test
    void preparedStatementWithThreeHundredParametersAndColumns() throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < 300; i++) {
            sql.append(i == 0 ? "?" : ", ?");
        }
        try (Connection c = Db.app(proxy.writePort(), "useServerPrepStmts=true");
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int round = 0; round < 2; round++) {
                for (int i = 1; i <= 300; i++) {
                    ps.setInt(i, i * 10 + round);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(300, rs.getMetaData().getColumnCount());
                    assertEquals(3000 + round, rs.getInt(300));
                    assertEquals(10 + round, rs.getInt(1));
                }
            }
            assertEquals("6", Db.scalar(c, "SELECT 6"));
        }
    }

    @Test
    void cursorFetchReadsEveryRowTenAtATime() throws SQLException {
        try (Connection c = Db.app(proxy.writePort(), "useCursorFetch=true");
                PreparedStatement ps = c.prepareStatement("SELECT seq, CONCAT('r', seq) FROM seq_1_to_1000")) {
            ps.setFetchSize(10);
            try (ResultSet rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    n++;
                    assertEquals(n, rs.getInt(1));
                    assertEquals("r" + n, rs.getString(2));
                    if (n == 15) {
                        // another statement while the cursor is open on the server
                        assertEquals("42", Db.scalar(c, "SELECT 42"));
                    }
                }
                assertEquals(1000, n);
            }
            assertEquals("3", Db.scalar(c, "SELECT 3"));
        }
    }
}
