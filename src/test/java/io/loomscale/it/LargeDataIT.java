package io.loomscale.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data bigger than one packet or one buffer through readconnroute: a 20 MiB BLOB both ways (a
 * split 16 MiB packet in each direction), LOAD DATA LOCAL INFILE from Connector/J, and a result
 * of 200,000 rows streamed to the end.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LargeDataIT {
    private static final int BLOB_SIZE = 20 << 20;

    private static TestProxy proxy;

    @BeforeAll
    static void setUp() throws SQLException {
        proxy = TestProxy.shared();
        try (Connection c = Db.app(proxy.writePort())) {
            Db.exec(c, "CREATE OR REPLACE TABLE it_large_blob (id INT PRIMARY KEY, b LONGBLOB)",
                    "CREATE OR REPLACE TABLE it_large_load (k INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(10,2))");
        }
    }

    @ParameterizedTest(name = "useServerPrepStmts={0}")
    @ValueSource(booleans = {false, true})
    void twentyMibBlobIsWrittenAndReadBackByteEqual(boolean serverPrep) throws Exception {
        byte[] blob = new byte[BLOB_SIZE];
        new Random(serverPrep ? 1 : 2).nextBytes(blob); // every byte value: quotes, backslashes, NULs
        int id = serverPrep ? 2 : 1;
        try (Connection c = Db.app(proxy.writePort(), "useServerPrepStmts=" + serverPrep)) {
            try (PreparedStatement ps = c.prepareStatement("REPLACE INTO it_large_blob VALUES (?, ?)")) {
                ps.setInt(1, id);
                ps.setBytes(2, blob);
                ps.executeUpdate();
            }
            assertEquals(BLOB_SIZE + " " + md5(blob), Db.scalar(c,
                    "SELECT CONCAT(LENGTH(b), ' ', MD5(b)) FROM it_large_blob WHERE id = " + id),
                    "what the server stored");
            try (PreparedStatement ps = c.prepareStatement("SELECT b, 'after' FROM it_large_blob WHERE id = ?")) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    byte[] got = rs.getBytes(1);
                    assertEquals(BLOB_SIZE, got.length);
                    assertEquals(md5(blob), md5(got), "bytes read back");
                    assertEquals("after", rs.getString(2), "the column after the 20 MiB value");
                    assertFalse(rs.next());
                }
            }
            assertEquals("9", Db.scalar(c, "SELECT 9"), "in sync after the split packets");
        }
    }

    @Test
    void loadDataLocalInfileFromConnectorJLoadsEveryLine() throws Exception {
        int lines = 100_000; // about 2.6 MB: many packets, sequence ids wrap past 255
        Path file = TestProxy.projectDir().resolve("target/it/load-jdbc.tsv");
        writeTsv(file, lines);
        try (Connection c = Db.app(proxy.writePort(), "allowLocalInfile=true"); Statement st = c.createStatement()) {
            st.execute("TRUNCATE it_large_load");
            int n = st.executeUpdate("LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE it_large_load");
            assertEquals(lines, n, "affected rows of LOAD DATA");
            assertEquals(lines + " " + expectedSum(lines) + " name77777", Db.scalar(c,
                    "SELECT CONCAT(COUNT(*), ' ', SUM(amount), ' ', (SELECT name FROM it_large_load WHERE k = 77777))"
                            + " FROM it_large_load"));
            assertEquals("11", Db.scalar(c, "SELECT 11"), "in sync after the file");
        }
    }

    @Test
    void loadDataOfAMissingClientFileFailsAndTheConnectionGoesOn() throws Exception {
        Path missing = TestProxy.projectDir().resolve("target/it/no-such-file.tsv");
        Files.deleteIfExists(missing);
        try (Connection c = Db.app(proxy.writePort(), "allowLocalInfile=true"); Statement st = c.createStatement()) {
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                    () -> st.executeUpdate("LOAD DATA LOCAL INFILE '" + missing + "' INTO TABLE it_large_load"));
            assertTrue(e.getMessage().contains("no-such-file.tsv"), e.getMessage());
            assertEquals("13", Db.scalar(c, "SELECT 13"), "in sync after the refused file");
        }
    }

    @Test
    void largeResultStreamsEveryRow() throws SQLException {
        try (Connection c = Db.app(proxy.writePort()); Statement st = c.createStatement()) {
            st.setFetchSize(1000);
            long n = 0;
            long sum = 0;
            try (ResultSet rs = st.executeQuery("SELECT seq, REPEAT('x', 100) FROM seq_1_to_200000")) {
                while (rs.next()) {
                    n++;
                    sum += rs.getLong(1);
                    if (rs.getString(2).length() != 100) {
                        throw new AssertionError("row " + n + ": " + rs.getString(2));
                    }
                }
            }
            assertEquals(200_000, n);
            assertEquals(200_000L * 200_001 / 2, sum);
            assertEquals("12", Db.scalar(c, "SELECT 12"));
        }
    }

    /** Lines "k\tnameK\tK.25" for k = 1..lines. */
    static void writeTsv(Path file, int lines) throws IOException {
        Files.createDirectories(file.getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int k = 1; k <= lines; k++) {
                w.write(k + "\tname" + k + "\t" + k + ".25\n");
            }
        }
    }

    /** SUM(amount) of {@link #writeTsv} as the server prints a DECIMAL(10,2) sum. */
    static String expectedSum(int lines) {
        return java.math.BigDecimal.valueOf((long) lines * (lines + 1) / 2).add(java.math.BigDecimal.valueOf(lines)
                .multiply(new java.math.BigDecimal("0.25"))).setScale(2).toPlainString();
    }

    static String md5(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }
}
