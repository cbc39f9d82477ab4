package io.loomscale.auth;

import io.loomscale.config.ServerConfig;
import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.NativePassword;
import io.loomscale.protocol.client.SqlConnection;
import io.loomscale.protocol.client.SqlException;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UserCache against the real cluster: what it says must be what the server says. */
class UserCacheIT {
    private static final ServerState MASTER = new ServerState(ServerState.RUNNING | ServerState.MASTER, -1, 1, "",
            false, "", "");
    private static final ServerState SLAVE = new ServerState(ServerState.RUNNING | ServerState.SLAVE, 0, 2, "", true,
            "", "");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static TestCluster cluster;
    private static InetAddress local;

    @BeforeAll
    static void cluster() throws Exception {
        cluster = TestCluster.get();
        local = InetAddress.getByName("127.0.0.1");
    }

    private static List<Server> servers(ServerState... states) {
        List<ServerConfig> cfgs = cluster.serverConfigs();
        List<Server> out = new ArrayList<>();
        for (int i = 0; i < cfgs.size(); i++) {
            out.add(new Server(cfgs.get(i), i < states.length ? states[i] : SLAVE));
        }
        return out;
    }

    private static UserCache cache(boolean enableRoot, Duration refreshLimit) {
        List<Server> servers = servers(MASTER, SLAVE, SLAVE);
        return new UserCache("it-service", () -> servers, TestCluster.SERVICE_USER, TestCluster.SERVICE_PASSWORD,
                enableRoot, refreshLimit);
    }

    private static byte[] seed() {
        byte[] s = new byte[20];
        new SecureRandom().nextBytes(s);
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (33 + (s[i] & 0x3f)); // printable, no NUL, like a server's scramble
        }
        return s;
    }

    private static byte[] reply(byte[] seed, String password) {
        return NativePassword.scramble(seed, password.getBytes(StandardCharsets.UTF_8));
    }

    /** What the primary itself answers to {@code USE db} for this user. */
    private static ErrPacket serverUseError(String user, String password, String db) throws Exception {
        try (SqlConnection c = SqlConnection.open(cluster.host(), cluster.primaryPort(), user, password, TIMEOUT)) {
            SqlException e = assertThrows(SqlException.class, () -> c.query("USE `" + db + "`"));
            return e.err();
        }
    }

    @Test
    void loadsAccountsAndVersionFromThePrimary() {
        UserCache c = cache(false, UserCache.DEFAULT_REFRESH_LIMIT);
        assertTrue(c.load());
        assertTrue(c.accountCount() >= 4, () -> "accounts: " + c.accountCount());
        assertTrue(c.serverVersion().contains("MariaDB"), c.serverVersion());
        assertEquals("server1", c.diagnostics().get("loaded_from"));
    }

    @Test
    void appLogsInAndTheRecoveredHashOpensABackend() throws Exception {
        UserCache c = cache(false, UserCache.DEFAULT_REFRESH_LIMIT);
        byte[] seed = seed();
        AuthResult r = c.authenticate("app", local, seed, reply(seed, "app_pw"), "test");
        assertTrue(r.isOk(), r::toString);
        assertArrayEquals(NativePassword.sha1("app_pw".getBytes(StandardCharsets.UTF_8)), r.stage1());
        assertEquals("'app'@'%'", r.account().displayName());
        // The proxy's whole point: log in to a backend knowing only SHA1(password).
        try (SqlConnection b = SqlConnection.open(cluster.host(), cluster.replicaPorts().get(0), "app", r.stage1(),
                false, TIMEOUT)) {
            assertEquals("app@%", b.query("SELECT CURRENT_USER()").rows().get(0)[0]);
        }
    }

    @Test
    void wrongPasswordGetsTheServersExactError() throws Exception {
        UserCache c = cache(false, UserCache.DEFAULT_REFRESH_LIMIT);
        byte[] seed = seed();
        AuthResult r = c.authenticate("app", local, seed, reply(seed, "not_the_password"), null);
        assertEquals(new ErrPacket(1045, "28000", "Access denied for user 'app'@'127.0.0.1' (using password: YES)"),
                r.error());
        SqlException fromServer = assertThrows(SqlException.class,
                () -> SqlConnection.open(cluster.host(), cluster.primaryPort(), "app", "not_the_password", TIMEOUT));
        assertEquals(fromServer.err(), r.error());
    }

    @Test
    void databaseErrorsMatchTheServers() throws Exception {
        UserCache c = cache(true, UserCache.DEFAULT_REFRESH_LIMIT);
        byte[] seed = seed();
        AuthResult noGrant = c.authenticate("app", local, seed, reply(seed, "app_pw"), "mysql");
        assertEquals(1044, noGrant.errorCode());
        assertEquals(serverUseError("app", "app_pw", "mysql"), noGrant.error());

        AuthResult unknown = c.authenticate("root", local, seed, reply(seed, "root_pw"), "no_such_db_it");
        assertEquals(new ErrPacket(1049, "42000", "Unknown database 'no_such_db_it'"), unknown.error());
        assertEquals(serverUseError("root", "root_pw", "no_such_db_it"), unknown.error());

        AuthResult app = c.authenticate("app", local, seed, reply(seed, "app_pw"), null);
        assertTrue(c.checkDatabase(app, "sbtest").isEmpty());
        assertEquals(serverUseError("app", "app_pw", "mysql"), c.checkDatabase(app, "mysql").orElseThrow());
    }

    @Test
    void rootIsRefusedWhenNotEnabled() {
        UserCache c = cache(false, UserCache.DEFAULT_REFRESH_LIMIT);
        byte[] seed = seed();
        AuthResult r = c.authenticate("root", local, seed, reply(seed, "root_pw"), null);
        assertEquals(1045, r.errorCode());
        assertEquals("Access denied for user 'root'@'127.0.0.1' (using password: YES)", r.error().message());
    }

    @Test
    void reloadPicksUpAUserCreatedAfterTheFirstLoad() {
        UserCache c = cache(false, Duration.ofMillis(1));
        assertTrue(c.load());
        int before = c.accountCount();
        String user = "uc_it_" + Long.toHexString(System.nanoTime());
        cluster.rootSql(cluster.primaryPort(), "CREATE USER '" + user + "'@'%' IDENTIFIED BY 'fresh_pw'");
        try {
            cluster.rootSql(cluster.primaryPort(), "GRANT SELECT ON test.* TO '" + user + "'@'%'");
            byte[] seed = seed();
            AuthResult r = c.authenticate(user, local, seed, reply(seed, "fresh_pw"), "test");
            assertTrue(r.isOk(), r::toString);
            assertEquals(before + 1, c.accountCount());
        } finally {
            cluster.rootSql(cluster.primaryPort(), "DROP USER '" + user + "'@'%'");
        }
    }

    @Test
    void loadsFromARunningReplicaWhenThePrimaryIsDown() {
        List<Server> servers = servers(ServerState.UNKNOWN, SLAVE, SLAVE);
        servers.get(0).state(new ServerState(0, -1, -1, "", false, "", "down"));
        UserCache c = new UserCache("it-service", () -> servers, TestCluster.SERVICE_USER,
                TestCluster.SERVICE_PASSWORD, false, UserCache.DEFAULT_REFRESH_LIMIT);
        assertTrue(c.load());
        assertEquals("server2", c.diagnostics().get("loaded_from"));
    }

    @Test
    void wrongServicePasswordFailsTheLoadAndRefusesLogins() {
        List<Server> servers = servers(MASTER, SLAVE, SLAVE);
        UserCache c = new UserCache("it-service", () -> servers, TestCluster.SERVICE_USER, "wrong", false,
                UserCache.DEFAULT_REFRESH_LIMIT);
        assertFalse(c.load());
        assertFalse(c.isLoaded());
        assertTrue(String.valueOf(c.diagnostics().get("last_error")).contains("1045"),
                () -> String.valueOf(c.diagnostics().get("last_error")));
        byte[] seed = seed();
        assertEquals(1045, c.authenticate("app", local, seed, reply(seed, "app_pw"), null).errorCode());
    }
}
