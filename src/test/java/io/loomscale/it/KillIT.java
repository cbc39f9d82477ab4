package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * KILL through the proxy, where thread ids are the proxy's session ids (what the handshake told
 * the client): {@code KILL QUERY} interrupts another session's statement on its backend,
 * {@code KILL} ends the session, Connector/J's {@code Statement.cancel()} (KILL QUERY on a new
 * connection) and {@code setQueryTimeout} (max_statement_time) work, and an unknown id gets the
 * server's ERR 1094. The server answers an interrupted SLEEP with ERR 1317 "Query execution was
 * interrupted" (checked against the server itself in {@link #serverInterruptsSleepWithErr1317}).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KillIT {
    private static final long SLEEP_SECONDS = 30;
    private static final long PROMPT_SECONDS = 5;

    private static TestProxy proxy;
    private static TestCluster cluster;

    @BeforeAll
    static void setUp() throws Exception {
        cluster = TestCluster.get();
        proxy = TestProxy.shared();
        Db.rootOnPrimary("DROP USER IF EXISTS 'it_kill_other'@'%'",
                "CREATE USER 'it_kill_other'@'%' IDENTIFIED BY 'other_pw'", "GRANT ALL ON test.* TO 'it_kill_other'@'%'");
        Db.awaitLogin(proxy.writePort(), "it_kill_other", "other_pw", Duration.ofSeconds(12)).close();
    }

    @AfterAll
    static void tearDown() throws Exception {
        Db.rootOnPrimary("DROP USER IF EXISTS 'it_kill_other'@'%'");
    }

    /** Starts {@code SELECT SLEEP(30) AS marker} on {@code st} in a virtual thread and waits until the primary runs it. */
    private static CompletableFuture<String> sleepInBackground(Statement st, String marker) throws InterruptedException {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(Db.scalarOf(st, "SELECT SLEEP(" + SLEEP_SECONDS + ") AS " + marker));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!runningOnPrimary(marker)) {
            if (f.isDone() || System.nanoTime() > deadline) {
                fail("SELECT SLEEP ... AS " + marker + " did not start on the primary: " + f);
            }
            Thread.sleep(20);
        }
        return f;
    }

    private static boolean runningOnPrimary(String marker) {
        return !"0".equals(cluster.rootScalar(cluster.primaryPort(), "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                + " WHERE COMMAND = 'Query' AND INFO LIKE 'SELECT SLEEP(" + SLEEP_SECONDS + ") AS " + marker + "'"));
    }

    /** The exception the sleeping statement ended with; fails if it returned or took longer than PROMPT_SECONDS. */
    private static SQLException interruption(CompletableFuture<String> f) throws InterruptedException {
        try {
            String r = f.get(PROMPT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("SLEEP returned " + r + " instead of an interruption error");
        } catch (TimeoutException e) {
            throw new AssertionError("SLEEP still running " + PROMPT_SECONDS + " s after it was killed", e);
        } catch (ExecutionException e) {
            return assertInstanceOf(SQLException.class, e.getCause());
        }
    }

    private static long proxyThreadId(Connection c) throws SQLException {
        return c.unwrap(org.mariadb.jdbc.Connection.class).getThreadId();
    }

    @Test
    void serverInterruptsSleepWithErr1317() throws Exception {
        try (Connection victim = Db.app(cluster.primaryPort()); Statement st = victim.createStatement();
                Connection killer = Db.app(cluster.primaryPort())) {
            CompletableFuture<String> f = sleepInBackground(st, "it_kill_direct");
            Db.exec(killer, "KILL QUERY " + proxyThreadId(victim));
            SQLException e = interruption(f);
            assertEquals(1317, e.getErrorCode(), e.getMessage());
            assertEquals("70100", e.getSQLState());
        }
    }

    @Test
    void killQueryInterruptsAnotherSessionsStatement() throws Exception {
        try (Connection victim = Db.app(proxy.writePort()); Statement st = victim.createStatement();
                Connection killer = Db.app(proxy.writePort())) {
            long id = proxyThreadId(victim);
            assertNotNull(proxy.runtime().sessions().find(id), "the handshake's thread id is a proxy session id");
            CompletableFuture<String> f = sleepInBackground(st, "it_kill_query");
            Db.exec(killer, "KILL QUERY " + id);
            SQLException e = interruption(f);
            assertEquals(1317, e.getErrorCode(), e.getMessage());
            assertEquals("70100", e.getSQLState());
            assertTrue(e.getMessage().contains("Query execution was interrupted"), e.getMessage());
            assertEquals("1", Db.scalar(victim, "SELECT 1"), "the interrupted session stays usable");
            assertEquals("2", Db.scalar(killer, "SELECT 2"));
        }
    }

    @Test
    void killConnectionEndsTheOtherSession() throws Exception {
        Baseline.settle(proxy, cluster.primaryPort());
        try (Connection killer = Db.app(proxy.writePort())) {
            Baseline before = Baseline.take(proxy, cluster.primaryPort());
            Connection victim = Db.app(proxy.writePort());
            try {
                long id = proxyThreadId(victim);
                Db.exec(killer, "KILL " + id);
                assertThrows(SQLException.class, () -> Db.scalar(victim, "SELECT 1"), "a killed session");
            } finally {
                victim.close();
            }
            assertEquals("3", Db.scalar(killer, "SELECT 3"));
            before.assertRestored(Duration.ofSeconds(5));
        }
    }

    @Test
    void statementCancelInterruptsTheStatement() throws Exception {
        try (Connection c = Db.app(proxy.writePort()); Statement st = c.createStatement()) {
            CompletableFuture<String> f = sleepInBackground(st, "it_kill_cancel");
            st.cancel();
            SQLException e = interruption(f);
            assertEquals(1317, e.getErrorCode(), e.getMessage());
            assertEquals("1", Db.scalar(c, "SELECT 1"), "usable after cancel");
        }
    }

    @Test
    void queryTimeoutInterruptsTheStatement() throws Exception {
        try (Connection c = Db.app(proxy.writePort()); Statement st = c.createStatement()) {
            st.setQueryTimeout(1);
            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class,
                    () -> Db.scalarOf(st, "SELECT SLEEP(" + SLEEP_SECONDS + ")"));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertInstanceOf(SQLTimeoutException.class, e, e.toString());
            assertEquals(1969, e.getErrorCode(), e.getMessage());
            assertTrue(ms < PROMPT_SECONDS * 1000, "timed out after " + ms + " ms");
            st.setQueryTimeout(0);
            assertEquals("1", Db.scalarOf(st, "SELECT 1"), "usable after the timeout");
        }
    }

    /**
     * Another user may not kill app's session: the server's ERR 1095 "You are not owner of thread
     * N" names the id the client gave, which through the proxy is the proxy's id, and the session
     * lives on.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"KILL QUERY", "KILL"})
    void killOfAnotherUsersSessionIsRefusedNamingTheGivenId(String kill) throws SQLException {
        try (Connection victim = Db.app(proxy.writePort());
                Connection other = Db.connect(proxy.writePort(), "test", "it_kill_other", "other_pw")) {
            long id = proxyThreadId(victim);
            SQLException e = assertThrows(SQLException.class, () -> Db.exec(other, kill + " " + id));
            assertEquals(1095, e.getErrorCode(), e.getMessage());
            assertEquals("HY000", e.getSQLState());
            assertEquals("You are not owner of thread " + id, QueryIT.withoutConnId(e.getMessage()));
            assertEquals("1", Db.scalar(victim, "SELECT 1"), "the victim lives on");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"KILL 999999", "KILL QUERY 999999", "KILL CONNECTION 999999"})
    void killOfAnUnknownIdGetsTheServersErr1094(String sql) throws SQLException {
        SQLException direct;
        try (Connection c = Db.app(cluster.primaryPort())) {
            direct = assertThrows(SQLException.class, () -> Db.exec(c, sql));
        }
        try (Connection c = Db.app(proxy.writePort())) {
            SQLException e = assertThrows(SQLException.class, () -> Db.exec(c, sql));
            assertEquals(1094, e.getErrorCode());
            assertEquals("HY000", e.getSQLState());
            assertEquals(QueryIT.withoutConnId(direct.getMessage()), QueryIT.withoutConnId(e.getMessage()));
            assertEquals("1", Db.scalar(c, "SELECT 1"));
        }
    }
}
