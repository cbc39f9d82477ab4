package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 150 Connector/J sessions at once through readwritesplit (each holds a primary and two replica
 * connections), half with server-side prepared statements: reads, writes, a transaction that
 * reads its own write, session variables read back from the replicas. Every result is checked;
 * nothing may fail, the replicas must have served reads, and afterwards no backend connection
 * may be left.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReadWriteSplitLoadIT {
    private static final int SESSIONS = 150;
    private static final int ROUNDS = 10;

    @Test
    void concurrentSessionsAllSucceedAndLeaveNoBackendConnection() throws Exception {
        TestCluster cluster = TestCluster.get();
        try (TestProxy p = TestProxy.start("rws-load", RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + RwsConfigs.service("rws", "") + TestProxy.listener("rws", "rws", TestProxy.freePort()))) {
            RwsConfigs.awaitRoles(p);
            int port = p.port("rws");
            try (Connection c = Db.app(port)) {
                Db.exec(c, "CREATE OR REPLACE TABLE rws_load (session INT, n INT, v VARCHAR(40), PRIMARY KEY (session, n))");
            }
            long replicaStatementsBefore = p.server("server2").statements() + p.server("server3").statements();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> tasks = new ArrayList<>();
                for (int i = 0; i < SESSIONS; i++) {
                    int session = i;
                    tasks.add(pool.submit(() -> {
                        try (Connection c = Db.app(port, session % 2 == 0 ? "" : "useServerPrepStmts=true")) {
                            work(c, session);
                        } catch (Throwable t) {
                            failures.add("session " + session + ": " + t);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : tasks) {
                    f.get(150, TimeUnit.SECONDS);
                }
            }
            assertEquals(List.of(), List.copyOf(failures).subList(0, Math.min(10, failures.size())),
                    failures.size() + " of " + SESSIONS + " sessions failed; the first ones");
            assertEquals(String.valueOf(SESSIONS * ROUNDS), cluster.rootScalar(cluster.primaryPort(),
                    "SELECT COUNT(*) FROM test.rws_load"));
            long replicaStatements = p.server("server2").statements() + p.server("server3").statements()
                    - replicaStatementsBefore;
            assertTrue(replicaStatements >= SESSIONS * ROUNDS * 2L, "the replicas served the reads: " + replicaStatements);
            for (String s : List.of("server1", "server2", "server3")) {
                assertEquals(0, TestProxy.awaitAtMost(() -> p.server(s).connections(), 0, Duration.ofSeconds(20)),
                        s + ": backend connections left after every session ended");
            }
        }
    }

    /** Each round: two checked reads, a session variable read back, a write, and every 5th round a transaction. */
    private static void work(Connection c, int session) throws SQLException {
        try (PreparedStatement read = c.prepareStatement("SELECT ?, ? * 2, REPEAT('x', ? % 100)");
             PreparedStatement write = c.prepareStatement("INSERT INTO rws_load VALUES (?, ?, ?)");
             Statement st = c.createStatement()) {
            for (int n = 0; n < ROUNDS; n++) {
                long key = (long) session * 1000 + n;
                for (int k = 0; k < 2; k++) {
                    read.setLong(1, key);
                    read.setLong(2, key);
                    read.setLong(3, key);
                    try (ResultSet rs = read.executeQuery()) {
                        if (!rs.next() || rs.getLong(1) != key || rs.getLong(2) != key * 2
                                || rs.getString(3).length() != key % 100) {
                            throw new AssertionError("read " + n + " returned a wrong row for key " + key);
                        }
                    }
                }
                st.execute("SET @mine = " + key);
                String back = Db.scalarOf(st, "SELECT @mine");
                if (!String.valueOf(key).equals(back)) {
                    throw new AssertionError("SET @mine = " + key + " read back as " + back);
                }
                if (n % 5 == 4) {
                    c.setAutoCommit(false);
                    write.setInt(1, session);
                    write.setInt(2, n);
                    write.setString(3, "trx" + key);
                    write.executeUpdate();
                    String own = Db.scalarOf(st, "SELECT v FROM rws_load WHERE session = " + session + " AND n = " + n);
                    if (!("trx" + key).equals(own)) {
                        throw new AssertionError("own uncommitted write read back as " + own);
                    }
                    c.commit();
                    c.setAutoCommit(true);
                } else {
                    write.setInt(1, session);
                    write.setInt(2, n);
                    write.setString(3, "s" + key);
                    if (write.executeUpdate() != 1) {
                        throw new AssertionError("insert " + n + " did not insert one row");
                    }
                }
            }
        }
    }
}
