package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code mariadb} command-line client (libmariadb, a C client: other packet sizes and
 * capabilities than Connector/J) through readconnroute. Its output through the proxy must be
 * what it prints when connected to the primary directly.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MariadbCliIT {
    /** Package-private: TlsMariadbCliIT runs these tests through a TLS listener. */
    static TestProxy proxy;
    private static TestCluster cluster;
    /** Arguments added to every run against a port (TLS options for a TLS-only listener). */
    static final java.util.Map<Integer, List<String>> PORT_ARGS = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        cluster = TestCluster.get();
        proxy = TestProxy.shared();
        Db.rootOnPrimary("CREATE OR REPLACE TABLE test.it_cli_load (k INT PRIMARY KEY, name VARCHAR(40),"
                + " amount DECIMAL(10,2))");
    }

    /** Exit code, stdout and stderr of one run. */
    record Run(int exit, String out, String err) {
    }

    static Run mariadb(int port, String user, String password, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mariadb", "--no-defaults", "-h" + TestProxy.HOST, "-P" + port,
                "-u" + user, "-p" + password, "--connect-timeout=10"));
        cmd.addAll(PORT_ARGS.getOrDefault(port, List.of()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        String out = readAll(p.getInputStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish within 60 s");
        }
        return new Run(p.exitValue(), out, err.join());
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void twoStatementsPrintBothResults() throws Exception {
        Run r = mariadb(proxy.writePort(), Db.APP, Db.APP_PW, "test", "-e", "select 1; select 2");
        assertEquals(new Run(0, "1\n1\n2\n2\n", ""), r);
        Run plain = mariadb(proxy.writePort(), Db.APP, Db.APP_PW, "-N", "-B", "test", "-e", "select 1; select 2");
        assertEquals(new Run(0, "1\n2\n", ""), plain);
    }

    @Test
    void tableOutputEqualsTheServersOwn() throws Exception {
        String sql = "select seq, concat('r', seq) as name, if(seq % 3 = 0, null, seq * 1.5) as x from seq_1_to_20;"
                + " select 'caf\u00e9' as word; show warnings";
        Run direct = mariadb(cluster.primaryPort(), Db.APP, Db.APP_PW, "--table", "test", "-e", sql);
        Run viaProxy = mariadb(proxy.writePort(), Db.APP, Db.APP_PW, "--table", "test", "-e", sql);
        assertEquals(0, direct.exit(), direct.err());
        assertEquals(direct, viaProxy);
    }

    @Test
    void errorInTheMiddleStopsLikeOnTheServer() throws Exception {
        String sql = "select 1; selec 2; select 3";
        Run direct = mariadb(cluster.primaryPort(), Db.APP, Db.APP_PW, "test", "-e", sql);
        Run viaProxy = mariadb(proxy.writePort(), Db.APP, Db.APP_PW, "test", "-e", sql);
        assertEquals(1, direct.exit());
        assertTrue(direct.err().contains("ERROR 1064 (42000) at line 1: You have an error"), direct.err());
        assertEquals("1\n1\n", direct.out(), "the first result, then the stop");
        assertEquals(direct, viaProxy);
    }

    @ParameterizedTest(name = "{0} lines")
    @ValueSource(ints = {3, 100_000})
    void loadDataLocalInfileLoadsEveryLine(int lines) throws Exception {
        Path file = TestProxy.projectDir().resolve("target/it/load-cli-" + lines + ".tsv");
        LargeDataIT.writeTsv(file, lines);
        Run r = mariadb(proxy.writePort(), Db.APP, Db.APP_PW, "--local-infile=1", "-N", "-B", "test", "-e",
                "TRUNCATE it_cli_load; LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE it_cli_load;"
                        + " SELECT COUNT(*), SUM(amount) FROM it_cli_load; SELECT 'done'");
        assertEquals(new Run(0, lines + "\t" + LargeDataIT.expectedSum(lines) + "\ndone\n", ""), r);
    }

    /** The character set the client names in its handshake is the session's on the backend. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"latin1", "utf8mb4", "binary"})
    void characterSetOfTheHandshakeReachesTheServer(String charset) throws Exception {
        String sql = "select @@character_set_client, @@character_set_results, @@collation_connection, hex('é')";
        Run direct = mariadb(cluster.primaryPort(), Db.APP, Db.APP_PW, "--default-character-set=" + charset, "-N", "-B",
                "test", "-e", sql);
        Run viaProxy = mariadb(proxy.writePort(), Db.APP, Db.APP_PW, "--default-character-set=" + charset, "-N", "-B",
                "test", "-e", sql);
        assertEquals(0, direct.exit(), direct.err());
        assertTrue(direct.out().startsWith(charset + "\t" + charset), "the server's session (premise): " + direct.out());
        assertEquals(direct, viaProxy);
    }

    @Test
    void wrongPasswordExitsWithTheServersMessage() throws Exception {
        Run direct = mariadb(cluster.primaryPort(), Db.APP, "wrong_pw", "test", "-e", "select 1");
        Run viaProxy = mariadb(proxy.writePort(), Db.APP, "wrong_pw", "test", "-e", "select 1");
        assertEquals(new Run(1, "", "ERROR 1045 (28000): Access denied for user 'app'@'127.0.0.1' (using password: YES)\n"),
                viaProxy);
        assertEquals(direct, viaProxy);
    }

    @Test
    void statusCommandReportsTheServer() throws Exception {
        Run r = mariadb(proxy.writePort(), Db.APP, Db.APP_PW, "test", "-e", "status");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Current database:\ttest"), r.out());
        assertTrue(r.out().contains("Current user:\t\tapp@127.0.0.1"), r.out());
        assertTrue(r.out().matches("(?s).*Uptime:\\s+\\d.*Threads: \\d+.*"), "COM_STATISTICS line: " + r.out());
    }
}
