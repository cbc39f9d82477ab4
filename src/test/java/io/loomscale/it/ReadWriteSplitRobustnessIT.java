package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input on readwritesplit sessions, which translate statement ids and split commands over
 * several backends: odd and malformed prepared-statement commands get the server's own answer and
 * the session goes on; a client that leaves in the middle of a prepare or a large result leaks
 * nothing; a session opened before still works.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReadWriteSplitRobustnessIT {
    private static TestCluster cluster;
    private static TestProxy proxy;
    private static int port;
    private Connection healthy;

    @BeforeAll
    static void setUp() {
        cluster = TestCluster.get();
        proxy = TestProxy.start("rws-robust", RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + RwsConfigs.service("rws", "") + TestProxy.listener("rws", "rws", TestProxy.freePort()));
        RwsConfigs.awaitRoles(proxy);
        port = proxy.port("rws");
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void openHealthySession() throws SQLException {
        healthy = Db.app(port);
        assertEquals("1", Db.scalar(healthy, "SELECT 1"));
    }

    /** The session opened before still works; once it is closed too, no backend connection is left. */
    @AfterEach
    void assertUnharmed() throws SQLException {
        assertEquals("42", Db.scalar(healthy, "SELECT 6 * 7"), "the healthy session after the abuse");
        healthy.close();
        assertEquals(0, proxy.awaitSessions(0, Duration.ofSeconds(10)), "sessions left");
        for (String s : List.of("server1", "server2", "server3")) {
            assertEquals(0, TestProxy.awaitAtMost(() -> proxy.server(s).connections(), 0, Duration.ofSeconds(10)),
                    s + ": backend connections left");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.loomscale.it.RobustnessIT#oddCommands")
    void oddCommandGetsTheServersAnswerAndTheSessionGoesOn(String what, String payloadHex, boolean answered)
            throws Exception {
        byte[] payload = HexFormat.of().parseHex(payloadHex);
        String server = RobustnessIT.commandOutcome(cluster.primaryPort(), payload, answered);
        String viaProxy = RobustnessIT.commandOutcome(port, payload, answered);
        assertTrue(server.endsWith("then SELECT 1 = 1"), "the server's answer (premise): " + server);
        assertEquals(server, viaProxy);
    }

    @Test
    void preparedStatementIdsAreTheProxysAndExecuteWorks() throws Exception {
        try (RawClient c = RawClient.login(port, Db.APP, Db.APP_PW, "test")) {
            byte[] sql = "SELECT ? + 1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] prepare = new byte[1 + sql.length];
            prepare[0] = 0x16;
            System.arraycopy(sql, 0, prepare, 1, sql.length);
            RawClient.Packet ok = c.command(prepare);
            assertEquals(0x00, ok.first(), "prepare OK");
            int id = (ok.payload()[1] & 0xff) | (ok.payload()[2] & 0xff) << 8;
            int params = (ok.payload()[7] & 0xff) | (ok.payload()[8] & 0xff) << 8;
            assertEquals(1, params);
            // the parameter definition and its EOF (no CLIENT_DEPRECATE_EOF in RawClient), then no columns... read until EOF
            RawClient.Packet p;
            do {
                p = c.readPacket();
            } while (!(p.first() == 0xfe && p.payload().length < 9));
            int columns = (ok.payload()[5] & 0xff) | (ok.payload()[6] & 0xff) << 8;
            if (columns > 0) {
                do {
                    p = c.readPacket();
                } while (!(p.first() == 0xfe && p.payload().length < 9));
            }
            // EXECUTE id, no cursor, 1 iteration, null bitmap 0, types sent: LONGLONG, value 41
            byte[] exec = {0x17, (byte) id, (byte) (id >>> 8), 0, 0, 0, 1, 0, 0, 0, 0, 1, 8, 0,
                41, 0, 0, 0, 0, 0, 0, 0};
            RawClient.Packet first = c.command(exec);
            assertEquals(1, first.first(), "a result set of one column");
            RawClient.Packet row;
            do {
                row = c.readPacket();
            } while (row.first() != 0x00 || row.payload().length < 2); // binary row header 0x00
            assertEquals(42, row.payload()[2], "41 + 1 in the binary row");
            do {
                p = c.readPacket();
            } while (!(p.first() == 0xfe && p.payload().length < 9));
            assertEquals("1", c.query("SELECT 1").single(), "in sync");
        }
    }

    @Test
    void clientLeavingRightAfterAPrepareLeaksNothing() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (RawClient c = RawClient.login(port, Db.APP, Db.APP_PW, "test")) {
                byte[] sql = "SELECT * FROM information_schema.COLUMNS WHERE TABLE_NAME = ?".getBytes(
                        java.nio.charset.StandardCharsets.US_ASCII);
                byte[] prepare = new byte[1 + sql.length];
                prepare[0] = 0x16;
                System.arraycopy(sql, 0, prepare, 1, sql.length);
                c.writeCommand(prepare);
                c.abort();
            }
        }
    }

    @Test
    void clientLeavingInTheMiddleOfALargeReplicaResultLeaksNothing() throws Exception {
        try (RawClient c = RawClient.login(port, Db.APP, Db.APP_PW, "test")) {
            c.writeCommand(("\u0003SELECT REPEAT('x', 1000) FROM seq_1_to_100000").getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII));
            byte[] buf = new byte[8192];
            c.readSome(buf);
            c.abort();
        }
    }
}
