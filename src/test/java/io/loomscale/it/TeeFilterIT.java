package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tee on the real cluster. The branch service rewrites (regexfilter) the copied statements to
 * another table, so the primary shows what the branch ran; a branch slowed to 2 s per statement
 * must not slow the client; a branch service without a listener is logged and the client is
 * not disturbed.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TeeFilterIT {
    private static TestProxy proxy;

    @BeforeAll
    static void setUp() throws Exception {
        TestCluster cluster = TestCluster.get();
        String creds = TestCluster.serviceCredentialsToml();
        String rcr = "router = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"rwsmon\"\n" + creds;
        String toml = RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + "[filter.copy]\nmodule = \"tee\"\nservice = \"branch\"\nmatch = 'it_tee_'\n\n"
                + "[filter.copy_nowhere]\nmodule = \"tee\"\ntarget = \"unlistened\"\n\n"
                + "[filter.to_copy_table]\nmodule = \"regexfilter\"\nmatch = 'it_tee_main'\nreplace = 'it_tee_copy'\n\n"
                + "[filter.slow]\nmodule = \"regexfilter\"\nmatch = 'SELECT 1 AS it_tee_ping'\n"
                + "replace = 'SELECT SLEEP(2) AS it_tee_ping'\n\n"
                + "[service.main]\n" + rcr + "filters = [\"copy\"]\n\n"
                + "[service.branch]\n" + rcr + "filters = [\"to_copy_table\", \"slow\"]\n\n"
                + "[service.lonely]\n" + rcr + "filters = [\"copy_nowhere\"]\n\n"
                + "[service.unlistened]\n" + rcr + "\n"
                + TestProxy.listener("main", "main", TestProxy.freePort())
                + TestProxy.listener("branch", "branch", TestProxy.freePort())
                + TestProxy.listener("lonely", "lonely", TestProxy.freePort());
        proxy = TestProxy.start("teeit", toml);
        RwsConfigs.awaitRoles(proxy);
        try (Connection c = Db.app(proxy.port("branch"))) { // the branch: not copied anywhere
            Db.exec(c, "CREATE OR REPLACE TABLE test.it_tee_copy (k INT)");
        }
        try (Connection c = Db.app(proxy.port("lonely"))) {
            Db.exec(c, "CREATE OR REPLACE TABLE test.it_tee_main (k INT)");
        }
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static String onPrimary(String sql) {
        TestCluster cluster = TestCluster.get();
        return cluster.rootScalar(cluster.primaryPort(), sql);
    }

    @Test
    void matchingStatementsAlsoRunOnTheBranchServiceAndTheClientDoesNotWaitForIt() throws Exception {
        long start;
        long took;
        try (Connection c = Db.app(proxy.port("main")); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO it_tee_main VALUES (1), (2)");
            st.executeUpdate("INSERT INTO it_tee_main VALUES (3)");
            st.executeUpdate("CREATE TEMPORARY TABLE not_copied (k INT)");
            start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                assertEquals("1", Db.scalarOf(st, "SELECT 1 AS it_tee_ping")); // 2 s each on the branch
            }
            took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
        assertTrue(took < 1500, "3 statements the branch runs for 2 s each took the client " + took + " ms");
        assertEquals("3", onPrimary("SELECT COUNT(*) FROM test.it_tee_main"), "the client's own statements");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String copied = onPrimary("SELECT COUNT(*) FROM test.it_tee_copy");
        while (!"3".equals(copied) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            copied = onPrimary("SELECT COUNT(*) FROM test.it_tee_copy");
        }
        assertEquals("3", copied, "the copies, rewritten by the branch service's filter");
        Map<String, Object> d = proxy.runtime().filters().get("copy").diagnostics();
        assertEquals(5L, d.get("statements_copied"), d.toString());
    }

    @Test
    void aBranchThatCannotConnectIsLoggedAndTheSessionGoesOn() throws Exception {
        try (Connection c = Db.app(proxy.port("lonely")); Statement st = c.createStatement()) {
            for (int i = 0; i < 5; i++) {
                assertEquals(String.valueOf(i), Db.scalarOf(st, "SELECT " + i));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((Long) proxy.runtime().filters().get("copy_nowhere").diagnostics().get("branch_failures") == 0
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue((Long) proxy.runtime().filters().get("copy_nowhere").diagnostics().get("branch_failures") >= 1);
    }
}
