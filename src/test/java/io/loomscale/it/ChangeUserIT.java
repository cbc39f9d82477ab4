package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COM_CHANGE_USER through the proxy, sent by {@link RawClient} (Connector/J 3 has no API for it):
 * the backend session then belongs to the new user, with fresh session state; a refused change
 * gets the server's ERR, and the connection afterwards behaves as the server's does (MariaDB
 * 10.11 keeps it open, still logged in as the previous user). Each case is run against the
 * primary itself too, and the proxy must answer the same.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChangeUserIT {
    private static TestProxy proxy;
    private static TestCluster cluster;

    @BeforeAll
    static void setUp() throws Exception {
        cluster = TestCluster.get();
        proxy = TestProxy.shared();
        Db.rootOnPrimary("DROP USER IF EXISTS 'app2'@'%'", "CREATE USER 'app2'@'%' IDENTIFIED BY 'app2_pw'",
                "GRANT ALL ON test.* TO 'app2'@'%'");
        Db.awaitLogin(proxy.writePort(), "app2", "app2_pw", Duration.ofSeconds(12)).close();
    }

    @AfterAll
    static void tearDown() throws Exception {
        Db.rootOnPrimary("DROP USER IF EXISTS 'app2'@'%'");
    }

    @Test
    void changeUserSwitchesTheBackendSessionToTheNewUser() throws IOException {
        try (RawClient c = RawClient.login(proxy.writePort(), Db.APP, Db.APP_PW, "test")) {
            assertEquals("app@%", c.query("SELECT CURRENT_USER()").single());
            c.query("SET @it_before_change = 1");
            RawClient.Packet p = c.changeUser("app2", "app2_pw", "test");
            assertTrue(p.isOk(), () -> "change user: " + (p.isErr() ? p.err() : "0x" + Integer.toHexString(p.first())));
            RawClient.Result r = c.query("SELECT CURRENT_USER(), USER(), DATABASE(), @it_before_change");
            assertEquals(List.of("app2@%", "app2@127.0.0.1", "test"), r.rows().get(0).subList(0, 3));
            assertNull(r.rows().get(0).get(3), "user variables are reset by COM_CHANGE_USER");
            assertEquals(0, c.query("CREATE OR REPLACE TABLE it_change_user (k INT)").affectedRows());
            assertEquals(1, c.query("INSERT INTO it_change_user VALUES (1)").affectedRows());

            RawClient.Packet back = c.changeUser(Db.APP, Db.APP_PW, "sbtest");
            assertTrue(back.isOk(), () -> "change back: " + (back.isErr() ? back.err() : "?"));
            assertEquals(List.of("app@%", "sbtest"), c.query("SELECT CURRENT_USER(), DATABASE()").rows().get(0));
        }
    }

    @Test
    void killAfterChangeUserStillFindsTheSession() throws Exception {
        try (RawClient victim = RawClient.login(proxy.writePort(), Db.APP, Db.APP_PW, "test");
                RawClient killer = RawClient.login(proxy.writePort(), "app2", "app2_pw", "test")) {
            assertTrue(victim.changeUser("app2", "app2_pw", "test").isOk());
            RawClient.Result r = killer.query("KILL QUERY " + victim.handshake().connectionId());
            assertNull(r.err(), () -> "KILL QUERY of a session of the same user: " + r.err());
            assertEquals("1", victim.query("SELECT 1").single());
        }
    }

    /** Refused changes get the server's ERR (code, SQLSTATE, text). */
    @ParameterizedTest(name = "{0}/{1} db {2}")
    @CsvSource(delimiter = '|', value = {
        "app2             | wrong_pw | test   | 1045",
        "it_change_nobody | x        | test   | 1045",
        "app2             | app2_pw  | sbtest | 1044",
    })
    void refusedChangeUserGetsTheServersErr(String user, String password, String db, int code) throws IOException {
        Outcome direct = refusedChange(cluster.primaryPort(), user, password, db);
        Outcome viaProxy = refusedChange(proxy.writePort(), user, password, db);
        assertEquals(code, direct.err().code(), "the server's code (the test's premise)");
        assertEquals(direct.err(), viaProxy.err());
    }

    /**
     * After a refused change MariaDB 10.11 keeps the connection, still logged in as the previous
     * user; a client of the proxy must find the same.
     */
    @ParameterizedTest(name = "{0}/{1} db {2}")
    @CsvSource(delimiter = '|', value = {
        "app2             | wrong_pw | test",
        "app2             | app2_pw  | sbtest",
    })
    void connectionAfterARefusedChangeUserBehavesLikeTheServers(String user, String password, String db)
            throws IOException {
        Outcome direct = refusedChange(cluster.primaryPort(), user, password, db);
        Outcome viaProxy = refusedChange(proxy.writePort(), user, password, db);
        assertEquals("open as app@%", direct.after(), "the server's behaviour (the test's premise)");
        assertEquals(direct.after(), viaProxy.after(), "the connection after the refused change");
    }

    private record Outcome(RawClient.Err err, String after) {
    }

    private static Outcome refusedChange(int port, String user, String password, String db) throws IOException {
        try (RawClient c = RawClient.login(port, Db.APP, Db.APP_PW, "test")) {
            RawClient.Packet p = c.changeUser(user, password, db);
            if (!p.isErr()) {
                throw new AssertionError("change user to " + user + " on port " + port + " was not refused");
            }
            String after;
            try {
                after = "open as " + c.query("SELECT CURRENT_USER()").single();
            } catch (IOException e) {
                after = "closed";
            }
            return new Outcome(p.err(), after);
        }
    }
}
