package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Database grants through the proxy: an account with grants on one database cannot USE another
 * (text USE, COM_INIT_DB from Connector/J's setCatalog, the database of the handshake, the mariadb
 * CLI), with the server's ERR 1044 word for word; a database opened by the account's default
 * role is usable.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GrantsIT {
    private static final String USER = "it_grants_one";
    private static final String ROLE_USER = "it_grants_role";
    private static final String ROLE = "it_grants_reader";
    private static final String PW = "it_grants_pw";

    private static TestCluster cluster;
    private static TestProxy proxy;

    @BeforeAll
    static void setUp() throws Exception {
        cluster = TestCluster.get();
        proxy = TestProxy.shared();
        Db.rootOnPrimary("CREATE DATABASE IF NOT EXISTS it_grants_a", "CREATE DATABASE IF NOT EXISTS it_grants_b",
                "CREATE OR REPLACE USER '" + USER + "'@'%' IDENTIFIED BY '" + PW + "'",
                "GRANT ALL ON it_grants_a.* TO '" + USER + "'@'%'",
                "CREATE OR REPLACE ROLE " + ROLE,
                "GRANT SELECT ON it_grants_b.* TO " + ROLE,
                "CREATE OR REPLACE USER '" + ROLE_USER + "'@'%' IDENTIFIED BY '" + PW + "'",
                "GRANT " + ROLE + " TO '" + ROLE_USER + "'@'%'",
                "SET DEFAULT ROLE " + ROLE + " FOR '" + ROLE_USER + "'@'%'");
        cluster.waitForReplication();
        awaitLogin(USER, "it_grants_a");
        awaitLogin(ROLE_USER, "it_grants_b");
    }

    /** The proxy knows a new account only after its account cache reloads (rate-limited). */
    private static void awaitLogin(String user, String db) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                Db.connect(proxy.writePort(), db, user, PW).close();
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(user + " cannot log in to " + db + " through the proxy", e);
                }
                Thread.sleep(1000);
            }
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        Db.rootOnPrimary("DROP USER IF EXISTS '" + USER + "'@'%'", "DROP USER IF EXISTS '" + ROLE_USER + "'@'%'",
                "DROP ROLE IF EXISTS " + ROLE, "DROP DATABASE IF EXISTS it_grants_a",
                "DROP DATABASE IF EXISTS it_grants_b");
    }

    private static SQLException refused(int port, String how) {
        return assertThrows(SQLException.class, () -> {
            try (Connection c = Db.connect(port, "it_grants_a", USER, PW)) {
                if (how.equals("use")) {
                    Db.exec(c, "USE it_grants_b");
                } else {
                    c.setCatalog("it_grants_b");
                }
            }
        });
    }

    @Test
    void useOfAnotherDatabaseGetsTheServersError() throws Exception {
        for (String how : new String[] {"use", "init_db"}) {
            SQLException direct = refused(cluster.primaryPort(), how);
            SQLException viaProxy = refused(proxy.writePort(), how);
            assertEquals(1044, viaProxy.getErrorCode(), how + ": " + viaProxy.getMessage());
            assertEquals(direct.getSQLState(), viaProxy.getSQLState());
            assertEquals(direct.getMessage().replaceAll("\\(conn=\\d+\\)", ""),
                    viaProxy.getMessage().replaceAll("\\(conn=\\d+\\)", ""), how);
        }
        // The session goes on, in the database it had.
        try (Connection c = Db.connect(proxy.writePort(), "it_grants_a", USER, PW)) {
            assertThrows(SQLException.class, () -> Db.exec(c, "USE it_grants_b"));
            assertEquals("it_grants_a", Db.scalar(c, "SELECT DATABASE()"));
            Db.exec(c, "USE it_grants_a");
        }
    }

    @Test
    void connectingToAnotherDatabaseGetsTheServersError() throws Exception {
        SQLException direct = assertThrows(SQLException.class,
                () -> Db.connect(cluster.primaryPort(), "it_grants_b", USER, PW).close());
        SQLException viaProxy = assertThrows(SQLException.class,
                () -> Db.connect(proxy.writePort(), "it_grants_b", USER, PW).close());
        assertEquals(1044, viaProxy.getErrorCode());
        assertEquals(direct.getMessage().replaceAll("\\(conn=\\d+\\)", ""),
                viaProxy.getMessage().replaceAll("\\(conn=\\d+\\)", ""));
    }

    @Test
    void mariadbCliUseIsRefusedLikeOnTheServer() throws Exception {
        MariadbCliIT.Run direct = MariadbCliIT.mariadb(cluster.primaryPort(), USER, PW, "it_grants_a", "-e",
                "use it_grants_b");
        MariadbCliIT.Run viaProxy = MariadbCliIT.mariadb(proxy.writePort(), USER, PW, "it_grants_a", "-e",
                "use it_grants_b");
        assertEquals(1, viaProxy.exit());
        assertEquals(direct, viaProxy);
    }

    @Test
    void databaseOfTheDefaultRoleIsUsable() throws Exception {
        try (Connection c = Db.connect(proxy.writePort(), "it_grants_b", ROLE_USER, PW)) {
            assertEquals("it_grants_b", Db.scalar(c, "SELECT DATABASE()"));
            Db.exec(c, "USE it_grants_b");
            SQLException e = assertThrows(SQLException.class, () -> Db.exec(c, "USE it_grants_a"));
            assertEquals(1044, e.getErrorCode());
        }
    }
}
