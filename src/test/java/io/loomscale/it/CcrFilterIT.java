package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * ccrfilter in front of readwritesplit on the real cluster: after a (matching) write the session's
 * reads answer with the primary's {@code @@port}, for {@code count} statements or {@code time}
 * seconds, then with a replica's again; a non-matching write or one marked
 * {@code -- maxscale ccr=ignore} changes nothing.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CcrFilterIT {
    private static TestProxy proxy;
    private static String primary;

    @BeforeAll
    static void setUp() throws Exception {
        TestCluster cluster = TestCluster.get();
        primary = String.valueOf(cluster.primaryPort());
        String toml = RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + "[filter.bycount]\nmodule = \"ccrfilter\"\ntime = 0\ncount = 3\n\n"
                + "[filter.bytime]\nmodule = \"ccrfilter\"\ntime = \"2s\"\nmatch = 'IT_CCR_CRIT'\n\n"
                + RwsConfigs.service("bycount", "filters = [\"bycount\"]\n")
                + RwsConfigs.service("bytime", "filters = [\"bytime\"]\n")
                + TestProxy.listener("bycount", "bycount", TestProxy.freePort())
                + TestProxy.listener("bytime", "bytime", TestProxy.freePort());
        proxy = TestProxy.start("ccrit", toml);
        RwsConfigs.awaitRoles(proxy);
        try (Connection c = Db.app(proxy.port("bycount"))) {
            Db.exec(c, "CREATE OR REPLACE TABLE it_ccr_crit (k INT)", "CREATE OR REPLACE TABLE it_ccr_other (k INT)");
        }
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static String port(Statement st) throws SQLException {
        return Db.scalarOf(st, "SELECT @@port");
    }

    @Test
    void countStatementsAfterAWriteGoToThePrimary() throws SQLException {
        try (Connection c = Db.app(proxy.port("bycount")); Statement st = c.createStatement()) {
            assertNotEquals(primary, port(st), "before any write: a replica");
            st.executeUpdate("INSERT INTO it_ccr_other VALUES (1)");
            for (int i = 0; i < 3; i++) {
                assertEquals(primary, port(st), "read " + (i + 1) + " of 3 after the write");
            }
            assertNotEquals(primary, port(st), "the 4th read: a replica again");
        }
    }

    @Test
    void aMatchingWriteSendsReadsToThePrimaryForTimeSeconds() throws Exception {
        try (Connection c = Db.app(proxy.port("bytime")); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO it_ccr_other VALUES (2)");
            assertNotEquals(primary, port(st), "a write that does not match: reads stay on replicas");
            st.executeUpdate("INSERT INTO it_ccr_crit VALUES (3) -- maxscale ccr=ignore");
            assertNotEquals(primary, port(st), "ccr=ignore comment: no trigger");
            long start = System.nanoTime();
            st.executeUpdate("INSERT INTO it_ccr_crit VALUES (4)"); // matches case-insensitively
            int onPrimary = 0;
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1500)) {
                assertEquals(primary, port(st), "within 2 s of the write");
                onPrimary++;
            }
            Thread.sleep(Math.max(0, 2300 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
            assertNotEquals(primary, port(st), "after 2 s: a replica again");
            assertEquals(true, onPrimary > 0);
        }
    }
}
