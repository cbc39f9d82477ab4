package io.loomscale.it;

import io.loomscale.filter.qlafilter.QlaFilter;
import io.loomscale.filter.regexfilter.RegexFilter;
import io.loomscale.filter.topfilter.TopFilter;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The filter modules against the real cluster: what qlafilter and topfilter write in their files,
 * what regexfilter's rewrite does on the primary, where namedserverfilter's hints send
 * readwritesplit's statements, and that a log file that cannot be written (a FIFO nobody reads)
 * costs dropped lines, never a stalled client.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FilterIT {
    private static TestProxy proxy;
    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        TestCluster cluster = TestCluster.get();
        dir = TestProxy.projectDir().resolve("target/it/filterit-files");
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        Process mk = new ProcessBuilder("mkfifo", dir.resolve("stuck.unified").toString()).inheritIO().start();
        assertEquals(0, mk.waitFor(), "mkfifo");
        String creds = TestCluster.serviceCredentialsToml();
        String rcr = "router = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"rwsmon\"\n" + creds;
        String toml = RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + "[filter.qla]\nmodule = \"qlafilter\"\nfilebase = \"" + dir.resolve("qla") + "\"\n"
                + "log_type = \"session,unified\"\nlog_data = \"service,session,user,reply_time,query\"\n"
                + "match = 'it_qla_'\nexclude = 'secret'\noptions = \"ignorecase\"\n\n"
                + "[filter.qla_other_user]\nmodule = \"qlafilter\"\nfilebase = \"" + dir.resolve("other") + "\"\n"
                + "log_type = \"unified\"\nuser = \"nobody_of_ours\"\n\n"
                + "[filter.stuck]\nmodule = \"qlafilter\"\nfilebase = \"" + dir.resolve("stuck") + "\"\n"
                + "log_type = \"unified\"\nqueue_size = 5\n\n"
                + "[filter.rewrite]\nmodule = \"regexfilter\"\nmatch = 'it_regex_old_(\\w+)'\nreplace = 'it_regex_new_$1'\n"
                + "log_file = \"" + dir.resolve("regex.log") + "\"\n\n"
                + "[filter.named]\nmodule = \"namedserverfilter\"\nmatch01 = '/\\* to3 \\*/'\ntarget01 = \"server3\"\n"
                + "match02 = 'to_primary'\ntarget02 = \"->master\"\n\n"
                + "[filter.top]\nmodule = \"topfilter\"\nfilebase = \"" + dir.resolve("top") + "\"\ncount = 3\n"
                + "match = 'it_top'\n\n"
                + "[service.qla]\n" + rcr + "filters = [\"qla\", \"qla_other_user\"]\n\n"
                + "[service.stuck]\n" + rcr + "filters = [\"stuck\"]\n\n"
                + "[service.rewrite]\n" + rcr + "filters = [\"rewrite\"]\n\n"
                + "[service.top]\n" + rcr + "filters = [\"top\"]\n\n"
                + RwsConfigs.service("named", "filters = [\"named\"]\n")
                + TestProxy.listener("qla", "qla", TestProxy.freePort())
                + TestProxy.listener("stuck", "stuck", TestProxy.freePort())
                + TestProxy.listener("rewrite", "rewrite", TestProxy.freePort())
                + TestProxy.listener("top", "top", TestProxy.freePort())
                + TestProxy.listener("named", "named", TestProxy.freePort());
        proxy = TestProxy.start("filterit", toml);
        RwsConfigs.awaitRoles(proxy);
        try (Connection c = Db.app(proxy.port("qla"))) {
            Db.exec(c, "CREATE OR REPLACE TABLE it_regex_new_t (k INT PRIMARY KEY)",
                    "CREATE OR REPLACE TABLE it_regex_old_t (k INT PRIMARY KEY)");
        }
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static <T> T filter(String name, Class<T> type) {
        return type.cast(proxy.runtime().filters().get(name));
    }

    @Test
    void qlafilterWritesMatchingStatementsToSessionAndUnifiedFiles() throws Exception {
        try (Connection c = Db.app(proxy.port("qla")); Statement st = c.createStatement()) {
            st.execute("SELECT 1 AS it_qla_one");
            st.execute("SELECT SLEEP(0.3) AS IT_QLA_SLOW"); // ignorecase
            st.execute("SELECT 'secret' AS it_qla_excluded");
            st.execute("SELECT 2 AS not_logged");
            st.execute("SELECT 3 AS it_qla_multi\n, 4");
        }
        assertTrue(filter("qla", QlaFilter.class).flush(5000));
        List<String> unified = Files.readAllLines(dir.resolve("qla.unified"));
        assertEquals("Service,Session,User@Host,Reply_time,Query", unified.get(0), "header");
        List<String> lines = unified.subList(1, unified.size());
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("qla,"), lines.get(0));
        assertTrue(lines.get(0).contains(",app@127.0.0.1,"), lines.get(0));
        assertTrue(lines.get(0).endsWith(",SELECT 1 AS it_qla_one"), lines.get(0));
        double slowMs = Double.parseDouble(lines.get(1).split(",")[3]);
        assertTrue(slowMs >= 290 && slowMs < 10_000, "reply_time of SLEEP(0.3): " + slowMs);
        assertTrue(lines.get(2).endsWith(",SELECT 3 AS it_qla_multi , 4"), "one line per statement: " + lines.get(2));
        // The session file: FILEBASE.<session id>, the same lines.
        String session = lines.get(0).split(",")[1];
        List<String> own = Files.readAllLines(dir.resolve("qla." + session));
        assertEquals(unified.get(0), own.get(0));
        assertEquals(lines, own.subList(1, own.size()));
        // A filter for another user logged nothing.
        assertFalse(Files.exists(dir.resolve("other.unified")) && Files.readAllLines(dir.resolve("other.unified")).size() > 1);
        Map<String, Object> d = proxy.runtime().filters().get("qla").diagnostics();
        assertEquals(0L, d.get("lines_dropped"));
    }

    @Test
    void qlafilterWithAStuckFileDropsLinesAndNeverStallsTheClient() throws Exception {
        // The writer thread blocks opening a FIFO nobody reads; its queue holds 5 lines.
        long start = System.nanoTime();
        try (Connection c = Db.app(proxy.port("stuck")); Statement st = c.createStatement()) {
            for (int i = 0; i < 300; i++) {
                st.execute("SELECT " + i);
            }
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Map<String, Object> d = proxy.runtime().filters().get("stuck").diagnostics();
        long dropped = (Long) d.get("lines_dropped");
        assertTrue(dropped >= 290, "dropped: " + d);
        assertTrue(ms < 30_000, "300 statements took " + ms + " ms");
        // Let the writer go: read the FIFO, so its thread finishes what it holds.
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = Files.newInputStream(dir.resolve("stuck.unified"))) {
                in.readAllBytes();
            } catch (IOException ignored) {
                // the test is over either way
            }
        });
        assertTrue(filter("stuck", QlaFilter.class).flush(5000), "writer unblocked");
        reader.join(100);
    }

    @Test
    void regexfilterRewritesTheStatementTheServerRuns() throws Exception {
        try (Connection c = Db.app(proxy.port("rewrite")); Statement st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("INSERT INTO it_regex_old_t VALUES (7)"));
            assertEquals("7", Db.scalarOf(st, "SELECT GROUP_CONCAT(k) FROM it_regex_old_t"), "read back through the rewrite");
        }
        TestCluster cluster = TestCluster.get();
        assertEquals("7", cluster.rootScalar(cluster.primaryPort(), "SELECT GROUP_CONCAT(k) FROM test.it_regex_new_t"),
                "the row went to the rewritten table");
        assertEquals("0", cluster.rootScalar(cluster.primaryPort(), "SELECT COUNT(*) FROM test.it_regex_old_t"));
        assertTrue(filter("rewrite", RegexFilter.class).flush(5000));
        String log = Files.readString(dir.resolve("regex.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("Matched: INSERT INTO it_regex_old_t VALUES (7) -> Replacement: INSERT INTO it_regex_new_t VALUES (7)"), log);
    }

    @Test
    void namedserverfilterSendsMatchingStatementsToTheNamedServer() throws Exception {
        TestCluster cluster = TestCluster.get();
        String server3 = String.valueOf(cluster.ports().get(2));
        String primary = String.valueOf(cluster.primaryPort());
        try (Connection c = Db.app(proxy.port("named")); Statement st = c.createStatement()) {
            for (int i = 0; i < 6; i++) {
                assertEquals(server3, Db.scalarOf(st, "SELECT @@port /* to3 */"), "hinted to server3");
                assertEquals(primary, Db.scalarOf(st, "SELECT @@port AS to_primary"), "hinted to the primary");
            }
            boolean sawOtherReplica = false;
            for (int i = 0; i < 10 && !sawOtherReplica; i++) {
                sawOtherReplica = String.valueOf(cluster.ports().get(1)).equals(Db.scalarOf(st, "SELECT @@port"));
            }
            assertTrue(sawOtherReplica, "without a match reads still go to either replica");
        }
        assertTrue(String.valueOf(proxy.runtime().filters().get("named").diagnostics().get("match01")).contains("(6 matched)"));
    }

    @Test
    void topfilterWritesTheSlowestStatementsWhenTheSessionEnds() throws Exception {
        try (Connection c = Db.app(proxy.port("top")); Statement st = c.createStatement()) {
            st.execute("SELECT SLEEP(0.05) AS it_top_a");
            st.execute("SELECT SLEEP(0.4) AS it_top_b");
            st.execute("SELECT 1 AS it_top_c");
            st.execute("SELECT SLEEP(0.2) AS it_top_d");
            st.execute("SELECT SLEEP(0.5) AS not_measured");
            st.execute("SELECT 2 AS it_top_e");
        }
        TopFilter top = filter("top", TopFilter.class);
        Path report = null;
        List<String> lines = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // The file can be seen before its writer has written it: wait for the whole report.
        while (!lines.stream().anyMatch(l -> l.startsWith("Total of")) && System.nanoTime() < deadline) {
            top.flush(1000);
            try (Stream<Path> s = Files.list(dir)) {
                report = s.filter(p -> p.getFileName().toString().startsWith("top.")).findFirst().orElse(null);
            }
            lines = report == null ? List.of() : Files.readAllLines(report);
        }
        assertTrue(report != null, "no report file");
        assertEquals("Top 3 longest running queries in session.", lines.get(0));
        List<String> rows = lines.stream().filter(l -> l.contains(" |  ")).toList();
        assertEquals(3, rows.size(), lines.toString());
        assertTrue(rows.get(0).endsWith("SELECT SLEEP(0.4) AS it_top_b"), rows.toString());
        assertTrue(rows.get(1).endsWith("SELECT SLEEP(0.2) AS it_top_d"), rows.toString());
        assertTrue(rows.get(2).endsWith("SELECT SLEEP(0.05) AS it_top_a"), rows.toString());
        assertTrue(Double.parseDouble(rows.get(0).split("\\|")[0].trim()) >= 0.39, rows.get(0));
        assertTrue(lines.contains("Total of 5 statements executed."), lines.toString());
        assertTrue(lines.contains("Username        app"), lines.toString());
    }
}
