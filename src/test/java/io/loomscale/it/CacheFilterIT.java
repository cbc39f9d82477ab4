package io.loomscale.it;

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
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache filter on the real cluster. A change made straight on the primary (not through the
 * proxy) shows whether an answer came from the cache; a change through the proxy must always be
 * seen at once (text and prepared UPDATEs, another session, readwritesplit with causal reads);
 * transactions, and tables the rules leave out, are not served from the cache.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CacheFilterIT {
    private static TestProxy proxy;

    @BeforeAll
    static void setUp() throws Exception {
        TestCluster cluster = TestCluster.get();
        Path dir = TestProxy.projectDir().resolve("target/it/cacheit-files");
        Files.createDirectories(dir);
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, "{\n  \"store\": [\n    {\"attribute\": \"table\", \"op\": \"=\", \"value\": \"it_cache_a\"}\n  ]\n}\n");
        String creds = TestCluster.serviceCredentialsToml();
        String rcr = "router = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"rwsmon\"\n" + creds;
        String toml = RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + "[filter.cache]\nmodule = \"cache\"\nstorage = \"inmemory\"\nhard_ttl = 60\ncached_data = \"shared\"\n\n"
                + "[filter.rulecache]\nmodule = \"cache\"\nhard_ttl = 60\nrules = \"" + rules + "\"\n\n"
                + "[filter.rwcache]\nmodule = \"cache\"\nhard_ttl = 60\nmax_count = 100\n\n"
                + "[service.cached]\n" + rcr + "filters = [\"cache\"]\n\n"
                + "[service.ruled]\n" + rcr + "filters = [\"rulecache\"]\n\n"
                + RwsConfigs.service("rwcached", "filters = [\"rwcache\"]\ncausal_reads = \"global\"\n")
                + TestProxy.listener("cached", "cached", TestProxy.freePort())
                + TestProxy.listener("ruled", "ruled", TestProxy.freePort())
                + TestProxy.listener("rwcached", "rwcached", TestProxy.freePort());
        proxy = TestProxy.start("cacheit", toml);
        RwsConfigs.awaitRoles(proxy);
        Db.rootOnPrimary("CREATE OR REPLACE TABLE test.it_cache_a (k INT PRIMARY KEY, v INT)",
                "INSERT INTO test.it_cache_a VALUES (1, 10), (2, 20)",
                "CREATE OR REPLACE TABLE test.it_cache_b (k INT PRIMARY KEY, v INT)",
                "INSERT INTO test.it_cache_b VALUES (1, 100)",
                "CREATE OR REPLACE TABLE test.it_cache_rw (k INT PRIMARY KEY, v INT)",
                "INSERT INTO test.it_cache_rw VALUES (1, 0)");
        cluster.waitForReplication();
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static long stat(String filter, String key) {
        Map<String, Object> d = proxy.runtime().filters().get(filter).diagnostics();
        return (Long) d.get(key);
    }

    /** Changes a row behind the proxy's back: only a cached answer keeps the old value. */
    private static void behindTheProxy(String sql) throws SQLException {
        Db.rootOnPrimary(sql);
    }

    @Test
    void aRepeatedSelectIsAnsweredFromTheCacheUntilAWriteThroughTheProxy() throws SQLException {
        try (Connection c = Db.app(proxy.port("cached")); Statement st = c.createStatement();
                Connection other = Db.app(proxy.port("cached")); Statement ost = other.createStatement()) {
            String q = "SELECT v FROM it_cache_a WHERE k = 1";
            assertEquals("10", Db.scalarOf(st, q));
            long hits = stat("cache", "hits");
            behindTheProxy("UPDATE test.it_cache_a SET v = 11 WHERE k = 1");
            assertEquals("10", Db.scalarOf(st, q), "answered from the cache");
            assertEquals("10", Db.scalarOf(ost, q), "another session of the same user too (shared)");
            assertEquals(hits + 2, stat("cache", "hits"));
            // A write through the proxy: every reader sees it at once.
            assertEquals(1, st.executeUpdate("UPDATE it_cache_a SET v = 12 WHERE k = 1"));
            assertEquals("12", Db.scalarOf(ost, q), "the other session after the write");
            assertEquals("12", Db.scalarOf(st, q));
            // A write to another table leaves this entry alone.
            st.executeUpdate("UPDATE it_cache_b SET v = 101 WHERE k = 1");
            behindTheProxy("UPDATE test.it_cache_a SET v = 13 WHERE k = 1");
            assertEquals("12", Db.scalarOf(st, q), "still cached after a write to another table");
            st.executeUpdate("UPDATE it_cache_a SET v = v + 1 WHERE k = 1");
            assertEquals("14", Db.scalarOf(st, q));
        }
    }

    @Test
    void aPreparedUpdateInvalidatesToo() throws SQLException {
        try (Connection c = Db.app(proxy.port("cached"), "useServerPrepStmts=true"); Statement st = c.createStatement()) {
            String q = "SELECT v FROM it_cache_a WHERE k = 2";
            st.executeQuery(q).close();
            assertEquals("20", Db.scalarOf(st, q));
            try (PreparedStatement ps = c.prepareStatement("UPDATE it_cache_a SET v = ? WHERE k = 2")) {
                ps.setInt(1, 21);
                assertEquals(1, ps.executeUpdate());
            }
            assertEquals("21", Db.scalarOf(st, q), "after the prepared UPDATE");
        }
    }

    @Test
    void insideATransactionTheCacheIsNotUsed() throws SQLException {
        try (Connection c = Db.app(proxy.port("cached")); Statement st = c.createStatement()) {
            String q = "SELECT v FROM it_cache_b WHERE k = 1 /* trx */";
            String before = Db.scalarOf(st, q);
            Db.scalarOf(st, q); // cached now
            behindTheProxy("UPDATE test.it_cache_b SET v = v + 1000 WHERE k = 1");
            c.setAutoCommit(false);
            assertEquals(String.valueOf(Long.parseLong(before) + 1000), Db.scalarOf(st, q), "in a transaction: the server's rows");
            c.commit();
            c.setAutoCommit(true);
            assertEquals(before, Db.scalarOf(st, q), "out of it: the cached answer again");
        }
    }

    @Test
    void rulesDecideWhatIsStored() throws SQLException {
        try (Connection c = Db.app(proxy.port("ruled")); Statement st = c.createStatement()) {
            long stored = stat("rulecache", "stored");
            Db.scalarOf(st, "SELECT v FROM it_cache_b WHERE k = 1 /* ruled */");
            assertEquals(stored, stat("rulecache", "stored"), "it_cache_b is not in the store rules");
            Db.scalarOf(st, "SELECT v FROM it_cache_a WHERE k = 1 /* ruled */");
            assertEquals(stored + 1, stat("rulecache", "stored"), "it_cache_a is");
        }
    }

    @Test
    void throughReadwritesplitAReadAfterAWriteIsNeverStale() throws SQLException {
        try (Connection writer = Db.app(proxy.port("rwcached")); Statement w = writer.createStatement();
                Connection reader = Db.app(proxy.port("rwcached")); Statement r = reader.createStatement()) {
            String q = "SELECT v FROM it_cache_rw WHERE k = 1";
            for (int i = 1; i <= 30; i++) {
                assertEquals(String.valueOf(i - 1), Db.scalarOf(r, q), "before write " + i);
                assertEquals(String.valueOf(i - 1), Db.scalarOf(r, q), "before write " + i + ", again (cached)");
                w.executeUpdate("UPDATE it_cache_rw SET v = " + i + " WHERE k = 1");
                assertEquals(String.valueOf(i), Db.scalarOf(r, q), "other session after write " + i);
                assertEquals(String.valueOf(i), Db.scalarOf(w, q), "writer after write " + i);
            }
        }
        assertEquals(true, stat("rwcache", "hits") >= 30, "hits: " + stat("rwcache", "hits"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cached", "rwcached"})
    void preparedSelectsAreCachedByTheirParameterValues(String service) throws SQLException {
        String filter = service.equals("cached") ? "cache" : "rwcache";
        Db.rootOnPrimary("INSERT INTO test.it_cache_b VALUES (10, 1), (11, 2) ON DUPLICATE KEY UPDATE v = VALUES(v)");
        TestCluster.get().waitForReplication();
        try (Connection c = Db.app(proxy.port(service), "useServerPrepStmts=true");
                PreparedStatement ps = c.prepareStatement("SELECT v FROM it_cache_b WHERE k = ? /* " + service + " */")) {
            ps.setInt(1, 10);
            assertEquals("1", one(ps));
            long hits = stat(filter, "hits");
            assertEquals("1", one(ps), "the same values: from the cache");
            assertEquals(hits + 1, stat(filter, "hits"));
            ps.setInt(1, 11);
            assertEquals("2", one(ps), "other values: another entry");
            behindTheProxy("UPDATE test.it_cache_b SET v = 5 WHERE k IN (10, 11)");
            TestCluster.get().waitForReplication();
            ps.setInt(1, 10);
            assertEquals("1", one(ps), "cached: the change behind the proxy is not seen");
            try (PreparedStatement up = c.prepareStatement("UPDATE it_cache_b SET v = 7 WHERE k = ?")) {
                up.setInt(1, 10);
                assertEquals(1, up.executeUpdate());
            }
            assertEquals("7", one(ps), "after a prepared UPDATE through the proxy");
            ps.setInt(1, 11);
            assertEquals("5", one(ps));
        }
    }

    /**
     * A client that sends parameter types only with its first EXECUTE (sysbench, libmariadb)
     * and gets that one from the cache: the types never reached the router, so the next
     * EXECUTE that misses must carry them, or the server refuses it (ERR 1210).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cached", "rwcached"})
    void typesSentOnlyWithACachedExecuteReachTheServerLater(String service) throws Exception {
        Db.rootOnPrimary("INSERT INTO test.it_cache_b VALUES (20, 200), (21, 210) ON DUPLICATE KEY UPDATE v = VALUES(v)");
        TestCluster.get().waitForReplication();
        String sql = "SELECT v FROM it_cache_b WHERE k = ? /* types " + service + " */";
        try (RawClient raw = RawClient.login(proxy.port(service), TestCluster.APP_USER, TestCluster.APP_PASSWORD, "test")) {
            int a = prepare(raw, sql);
            int b = prepare(raw, sql); // the same text again: a second statement
            assertEquals("200", executeInt(raw, a, 20, true), "a miss, now cached");
            long hits = stat(service.equals("cached") ? "cache" : "rwcache", "hits");
            assertEquals("200", executeInt(raw, b, 20, true), "with types: answered from the cache");
            assertEquals(hits + 1, stat(service.equals("cached") ? "cache" : "rwcache", "hits"));
            assertEquals("210", executeInt(raw, b, 21, false), "without types, not cached: the server needs the types");
        }
    }

    /** COM_STMT_PREPARE; returns the statement id after reading the definitions. */
    private static int prepare(RawClient raw, String sql) throws java.io.IOException {
        byte[] q = sql.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] prep = new byte[q.length + 1];
        prep[0] = 0x16;
        System.arraycopy(q, 0, prep, 1, q.length);
        RawClient.Packet ok = raw.command(prep);
        assertEquals(0x00, ok.first(), "prepare OK");
        byte[] pl = ok.payload();
        int id = (pl[1] & 0xff) | (pl[2] & 0xff) << 8 | (pl[3] & 0xff) << 16 | (pl[4] & 0xff) << 24;
        int columns = (pl[5] & 0xff) | (pl[6] & 0xff) << 8;
        int params = (pl[7] & 0xff) | (pl[8] & 0xff) << 8;
        for (int k = 0; k < params + 1 + columns + 1; k++) {
            raw.readPacket(); // parameter and column definitions, each block ended by an EOF
        }
        return id;
    }

    /** COM_STMT_EXECUTE of a one-INT-parameter statement; the first column of its one row. */
    private static String executeInt(RawClient raw, int id, int value, boolean types) throws java.io.IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(0x17);
        b.write(new byte[] {(byte) id, (byte) (id >> 8), (byte) (id >> 16), (byte) (id >> 24)}, 0, 4);
        b.write(0); // no cursor
        b.write(new byte[] {1, 0, 0, 0}, 0, 4); // iteration count
        b.write(0); // null bitmap
        b.write(types ? 1 : 0);
        if (types) {
            b.write(3); // MYSQL_TYPE_LONG
            b.write(0);
        }
        b.write(new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)}, 0, 4);
        RawClient.Packet first = raw.command(b.toByteArray());
        if (first.isErr()) {
            throw new AssertionError("EXECUTE failed: " + RawClient.Err.decode(first.payload()));
        }
        raw.readPacket(); // the column definition
        raw.readPacket(); // EOF
        RawClient.Packet row = raw.readPacket();
        RawClient.Packet end = raw.readPacket();
        assertEquals(0xfe, end.first(), "one row, then EOF");
        // Binary row: 0x00, null bitmap (1 byte for one column), then the INT as 4 bytes.
        byte[] r = row.payload();
        return String.valueOf((r[2] & 0xff) | (r[3] & 0xff) << 8 | (r[4] & 0xff) << 16 | (r[5] & 0xff) << 24);
    }

    private static String one(PreparedStatement ps) throws SQLException {
        try (java.sql.ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
