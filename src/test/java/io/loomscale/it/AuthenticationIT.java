package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logins through the proxy, which checks passwords and database grants itself from the accounts it
 * loaded: a refused login must look exactly like the server's refusal (code, SQLSTATE and text,
 * compared with what the primary answers to the same login), root is refused unless
 * {@code enable_root_user}, and accounts made after the proxy started can log in (the account
 * cache reloads; reloads after failed logins are rate-limited to one per 5 s, so a new account
 * may need one such period).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AuthenticationIT {
    private static final Duration RELOAD_WINDOW = Duration.ofSeconds(12);

    private static TestProxy proxy;
    private static TestCluster cluster;

    @BeforeAll
    static void setUp() throws Exception {
        cluster = TestCluster.get();
        proxy = TestProxy.shared();
        Db.rootOnPrimary("DROP USER IF EXISTS 'it_auth_global'@'%'",
                "CREATE USER 'it_auth_global'@'%' IDENTIFIED BY 'global_pw'",
                "GRANT SELECT ON *.* TO 'it_auth_global'@'%'");
        // a new account: wait until the proxy has loaded it, so the table below compares errors, not reload timing
        Db.awaitLogin(proxy.writePort(), "it_auth_global", "global_pw", RELOAD_WINDOW).close();
    }

    @AfterAll
    static void tearDown() throws SQLException {
        Db.rootOnPrimary("DROP USER IF EXISTS 'it_auth_global'@'%'", "DROP USER IF EXISTS 'it_auth_late'@'%'");
    }

    /** The refusal from connecting to {@code port}; fails if the login succeeds. */
    private static SQLException refusal(int port, String user, String password, String db) {
        return assertThrows(SQLException.class, () -> Db.connect(port, db, user, password).close(),
                "login of " + user + " to " + db + " on port " + port + " must be refused");
    }

    /** Each refused login gets the same ERR from the proxy as from the server itself. */
    @ParameterizedTest(name = "{0}/{1} on {2}: {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "app            | wrong_pw  | test          | 1045 | 28000 | Access denied for user 'app'@'127.0.0.1' (using password: YES)",
        "app            | \"\"      | test          | 1045 | 28000 | Access denied for user 'app'@'127.0.0.1' (using password: NO)",
        "it_auth_nobody | x         | test          | 1045 | 28000 | Access denied for user 'it_auth_nobody'@'127.0.0.1' (using password: YES)",
        "app            | app_pw    | mysql         | 1044 | 42000 | Access denied for user 'app'@'%' to database 'mysql'",
        "app            | app_pw    | it_no_such_db | 1044 | 42000 | Access denied for user 'app'@'%' to database 'it_no_such_db'",
        "it_auth_global | global_pw | it_no_such_db | 1049 | 42000 | Unknown database 'it_no_such_db'",
        "it_auth_global | wrong_pw  | test          | 1045 | 28000 | Access denied for user 'it_auth_global'@'127.0.0.1' (using password: YES)",
    })
    void refusedLoginGetsTheServersError(String user, String password, String db, int code, String state,
            String message) {
        SQLException direct = refusal(cluster.primaryPort(), user, password, db);
        SQLException viaProxy = refusal(proxy.writePort(), user, password, db);
        assertAll(
                () -> assertEquals(code, direct.getErrorCode(), "server's code (the test's premise)"),
                () -> assertEquals(message, QueryIT.withoutConnId(direct.getMessage()), "server's message (premise)"),
                () -> assertEquals(code, viaProxy.getErrorCode(), "error code"),
                () -> assertEquals(state, viaProxy.getSQLState(), "SQLSTATE"),
                () -> assertEquals(QueryIT.withoutConnId(direct.getMessage()),
                        QueryIT.withoutConnId(viaProxy.getMessage()), "message"));
    }

    /**
     * A client whose default plugin is another one (a MySQL 8 client offers caching_sha2_password)
     * is asked to switch to mysql_native_password and then gets in, as with the server.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"caching_sha2_password", "client_ed25519", "sha256_password"})
    void clientOfferingAnotherPluginIsSwitchedToNativePassword(String plugin) throws Exception {
        for (int port : new int[] {cluster.primaryPort(), proxy.writePort()}) {
            try (RawClient c = RawClient.connect(TestProxy.HOST, port, Duration.ofSeconds(10))) {
                c.readHandshake();
                RawClient.Packet p = c.authenticateOffering(plugin, new byte[32], Db.APP, Db.APP_PW, "test");
                assertTrue(p.isOk(), () -> "port " + port + ": " + (p.isErr() ? p.err() : "0x" + Integer.toHexString(p.first())));
                assertEquals("app@%", c.query("SELECT CURRENT_USER()").single(), "port " + port);
            }
        }
    }

    @Test
    void accountWithoutPasswordLogsInAndCanKill() throws Exception {
        Db.rootOnPrimary("DROP USER IF EXISTS 'it_auth_nopw'@'%'", "CREATE USER 'it_auth_nopw'@'%'",
                "GRANT SELECT ON test.* TO 'it_auth_nopw'@'%'");
        try (Connection c = Db.awaitLogin(proxy.writePort(), "it_auth_nopw", "", RELOAD_WINDOW);
                Connection other = Db.connect(proxy.writePort(), "test", "it_auth_nopw", "")) {
            assertEquals("it_auth_nopw@%", Db.scalar(c, "SELECT CURRENT_USER()"));
            long id = c.unwrap(org.mariadb.jdbc.Connection.class).getThreadId();
            Db.exec(other, "KILL QUERY " + id); // the proxy's own login on the backend as that user
            assertEquals("1", Db.scalar(c, "SELECT 1"));
        } finally {
            Db.rootOnPrimary("DROP USER IF EXISTS 'it_auth_nopw'@'%'");
        }
    }

    @Test
    void rootIsRefusedWhenEnableRootUserIsOff() throws SQLException {
        try (Connection c = Db.connect(cluster.primaryPort(), "test", TestCluster.ROOT_USER, TestCluster.ROOT_PASSWORD)) {
            assertEquals("1", Db.scalar(c, "SELECT 1"), "root may log in to the server itself");
        }
        SQLException e = refusal(proxy.writePort(), TestCluster.ROOT_USER, TestCluster.ROOT_PASSWORD, "test");
        assertEquals(1045, e.getErrorCode());
        assertEquals("28000", e.getSQLState());
        assertEquals("Access denied for user 'root'@'127.0.0.1' (using password: YES)",
                QueryIT.withoutConnId(e.getMessage()));
    }

    @Test
    void accountCreatedAfterTheProxyStartedCanLogIn() throws Exception {
        Db.rootOnPrimary("DROP USER IF EXISTS 'it_auth_late'@'%'",
                "CREATE USER 'it_auth_late'@'%' IDENTIFIED BY 'late_pw'",
                "GRANT SELECT ON test.* TO 'it_auth_late'@'%'");
        try (Connection c = Db.awaitLogin(proxy.writePort(), "it_auth_late", "late_pw", RELOAD_WINDOW)) {
            assertEquals("it_auth_late@%", Db.scalar(c, "SELECT CURRENT_USER()"));
        }

        Db.rootOnPrimary("ALTER USER 'it_auth_late'@'%' IDENTIFIED BY 'late_pw2'");
        try (Connection c = Db.awaitLogin(proxy.writePort(), "it_auth_late", "late_pw2", RELOAD_WINDOW)) {
            assertEquals("it_auth_late@%", Db.scalar(c, "SELECT CURRENT_USER()"), "new password after ALTER USER");
        }
        SQLException old = refusal(proxy.writePort(), "it_auth_late", "late_pw", "test");
        assertEquals(1045, old.getErrorCode(), "old password after ALTER USER");
    }
}
