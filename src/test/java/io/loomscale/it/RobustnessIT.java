package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad clients: garbage, truncated and oversized packets in the handshake, a client that says
 * nothing, one that leaves in the middle of a large result, malformed prepared-statement commands,
 * and a query split over two packets. The proxy must answer as the server does (each raw case is
 * also sent to the primary), must not hang, and must not disturb others: after each test a
 * Connector/J session opened before still works, the proxy's session count is back where it was
 * and the primary has no more connections of the app user than before (nothing leaked).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RobustnessIT {
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(15);

    private static TestProxy proxy;
    private static TestCluster cluster;

    private Connection healthy;
    private Baseline baseline;

    @BeforeAll
    static void setUp() {
        cluster = TestCluster.get();
        proxy = TestProxy.shared();
    }

    @BeforeEach
    void openHealthySession() throws SQLException {
        Baseline.settle(proxy, cluster.primaryPort());
        healthy = Db.app(proxy.writePort());
        assertEquals("1", Db.scalar(healthy, "SELECT 1"));
        baseline = Baseline.take(proxy, cluster.primaryPort());
    }

    @AfterEach
    void closeHealthySession() throws SQLException {
        healthy.close();
    }

    /** The session opened before the abuse still works, and nothing leaked. */
    private void assertUnharmed() throws SQLException {
        assertEquals("42", Db.scalar(healthy, "SELECT 6 * 7"), "the healthy session after the abuse");
        baseline.assertRestored(SETTLE);
    }

    /** What {@code port} answers (its packets until it closes) to {@code bytes} sent after its handshake. */
    private static List<RawClient.Packet> answerTo(int port, byte[] bytes) throws IOException {
        try (RawClient c = RawClient.connect(TestProxy.HOST, port, IO_TIMEOUT)) {
            c.readHandshake();
            c.writeRaw(bytes);
            return c.readUntilClosed();
        }
    }

    private static RawClient.Err onlyErr(List<RawClient.Packet> got, String who) {
        assertEquals(1, got.size(), who + " answers with one packet, then closes: " + got);
        return got.get(0).err();
    }

    /**
     * A well-framed handshake response whose payload is garbage or cut short: the server says
     * ERR 1043 "Bad handshake" and closes, and so must the proxy.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ten bytes of garbage,                 0102030405060708090a",
        "cut in the middle of the user name,   0fa20a0000000001" + "2d" + "0000000000000000000000000000000000000000000000" + "617070",
        "empty payload,                        ''",
    })
    void malformedHandshakeResponseGetsTheServersBadHandshake(String what, String payloadHex) throws Exception {
        byte[] bytes = RawClient.framed(1, HexFormat.of().parseHex(payloadHex));
        RawClient.Err server = onlyErr(answerTo(cluster.primaryPort(), bytes), "the server");
        RawClient.Err viaProxy = onlyErr(answerTo(proxy.writePort(), bytes), "the proxy");
        assertEquals(1043, server.code(), "the server's answer (the test's premise): " + server);
        assertEquals(server, viaProxy);
        assertUnharmed();
    }

    /**
     * An HTTP request sent to the proxy's port: its first bytes read as a packet header of 5.5 MB
     * with sequence id 0x20. The server answers at once with ERR 1156 (08S01) "Got packets out of
     * order". A client's garbage is a client fault: the proxy must answer with a communication
     * error (SQLSTATE 08S01), not with its own "internal error".
     */
    @Test
    void httpRequestInsteadOfHandshakeGetsACommunicationError() throws Exception {
        byte[] bytes = "GET / HTTP/1.1\r\nHost: db\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        RawClient.Err server = onlyErr(answerTo(cluster.primaryPort(), bytes), "the server");
        RawClient.Err viaProxy = onlyErr(answerTo(proxy.writePort(), bytes), "the proxy");
        assertEquals("08S01", server.sqlState(), "the server's answer (premise): " + server);
        assertEquals(server.sqlState(), viaProxy.sqlState(), "SQLSTATE of " + viaProxy);
        assertNotEquals(1105, viaProxy.code(), "a client's garbage is not an internal error: " + viaProxy);
        assertFalse(viaProxy.message().contains("internal error"), viaProxy.toString());
        assertUnharmed();
    }

    /**
     * A header announcing a 16 MiB handshake response. Kept open, the client must get a prompt
     * communication error (08S01) rather than an internal error; closed at once, nothing leaks.
     */
    @ParameterizedTest(name = "client stays: {0}")
    @ValueSource(booleans = {true, false})
    void sixteenMibHandshakeHeaderIsRefused(boolean clientStays) throws Exception {
        byte[] header = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 1};
        try (RawClient c = RawClient.connect(TestProxy.HOST, proxy.writePort(), IO_TIMEOUT)) {
            c.readHandshake();
            c.writeRaw(header);
            if (clientStays) {
                c.writeRaw(new byte[1000]); // the start of the announced payload
                long t0 = System.nanoTime();
                List<RawClient.Packet> got = c.readUntilClosed();
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms < 12_000, "closed after " + ms + " ms");
                if (!got.isEmpty()) {
                    RawClient.Err e = onlyErr(got, "the proxy");
                    assertEquals("08S01", e.sqlState(), e.toString());
                    assertFalse(e.message().contains("internal error"), e.toString());
                }
            } else {
                c.abort();
            }
        }
        assertUnharmed();
    }

    /** A client that connects and never answers the handshake is closed after the ~10 s handshake timeout. */
    @Test
    void silentClientIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (RawClient c = RawClient.connect(TestProxy.HOST, proxy.writePort(), Duration.ofSeconds(20))) {
            c.readHandshake();
            long t0 = System.nanoTime();
            List<RawClient.Packet> got;
            try {
                got = c.readUntilClosed();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the proxy kept a silent client for 20 s", e);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 8_000 && ms <= 14_000, "closed after " + ms + " ms (expected about 10 s)");
            assertTrue(got.size() <= 1, "at most an ERR before the close: " + got);
        }
        assertUnharmed();
    }

    /** A client that reads a little of a 200,000-row result and disconnects; its backend connection must go too. */
    @ParameterizedTest(name = "abortive close: {0}")
    @ValueSource(booleans = {true, false})
    void clientLeavingInTheMiddleOfALargeResultLeaksNothing(boolean abortive) throws Exception {
        RawClient c = RawClient.login(proxy.writePort(), Db.APP, Db.APP_PW, "test");
        assertEquals(1, proxy.runtime().sessions().find(c.handshake().connectionId()).backends().size(),
                "the raw session's backend connection");
        byte[] q = "\u0003SELECT seq, REPEAT('x', 100) FROM seq_1_to_200000".getBytes(StandardCharsets.US_ASCII);
        c.writeCommand(q);
        byte[] buf = new byte[8192];
        int read = 0;
        while (read < 65536) {
            int n = c.readSome(buf);
            assertTrue(n > 0, "result bytes");
            read += n;
        }
        if (abortive) {
            c.abort();
        } else {
            c.close();
        }
        assertUnharmed();
    }

    /**
     * A client that stops reading a large result: its backend is paused (bounded memory), while
     * sessions on the same proxy (and selector threads) go on promptly; when the client reads
     * again it gets every row.
     */
    @Test
    void slowReaderDoesNotStallOtherSessions() throws Exception {
        try (RawClient slow = RawClient.login(proxy.writePort(), Db.APP, Db.APP_PW, "test")) {
            slow.setTimeout(Duration.ofSeconds(30));
            slow.writeCommand("\u0003SELECT seq, REPEAT('x', 100) FROM seq_1_to_200000".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(500); // the result fills every buffer on the way and stops
            List<Connection> others = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    others.add(Db.app(proxy.writePort()));
                }
                for (int round = 0; round < 20; round++) {
                    for (Connection o : others) {
                        long t0 = System.nanoTime();
                        assertEquals(String.valueOf(round), Db.scalar(o, "SELECT " + round));
                        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                        assertTrue(ms < 2000, "a query took " + ms + " ms while a client was not reading");
                    }
                }
            } finally {
                for (Connection o : others) {
                    o.close();
                }
            }
            RawClient.Result r = slow.readResult(slow.readPacket());
            assertNull(r.err());
            assertEquals(200_000, r.rows().size());
            assertEquals("200000", r.rows().get(199_999).get(0));
            assertEquals("1", slow.query("SELECT 1").single());
        }
        assertUnharmed();
    }

    /** Prepared-statement commands for a statement that does not exist, and other odd commands: the server's answer, and the session goes on. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("oddCommands")
    void oddCommandGetsTheServersAnswerAndTheSessionGoesOn(String what, String payloadHex, boolean answered)
            throws Exception {
        byte[] payload = HexFormat.of().parseHex(payloadHex);
        String server = commandOutcome(cluster.primaryPort(), payload, answered);
        String viaProxy = commandOutcome(proxy.writePort(), payload, answered);
        assertTrue(server.endsWith("then SELECT 1 = 1"), "the server's answer (premise): " + server);
        assertEquals(server, viaProxy);
        assertUnharmed();
    }

    /**
     * Odd commands after login, each with whether the server answers it: prepared-statement
     * commands for a statement that does not exist or cut short, an unknown command, an empty
     * packet, commands that fail. Both routers must answer them as the server does.
     */
    static Stream<Arguments> oddCommands() {
        return Stream.of(
                Arguments.of("COM_STMT_EXECUTE unknown id", "1778563412000100000000", true),
                Arguments.of("COM_STMT_EXECUTE truncated", "1701", true),
                Arguments.of("COM_STMT_FETCH unknown id", "1c7856341201000000", true),
                Arguments.of("COM_STMT_RESET unknown id", "1a78563412", true),
                Arguments.of("COM_STMT_CLOSE unknown id", "1978563412", false),
                Arguments.of("COM_STMT_SEND_LONG_DATA unknown id", "18785634120000414243", false),
                Arguments.of("unknown command 0x99", "99", true),
                Arguments.of("empty command packet", "", true),
                Arguments.of("COM_FIELD_LIST unknown table", "0469745f6e6f7375636800", true),
                Arguments.of("COM_INIT_DB unknown database", "026e6f5f737563685f6462", true),
                Arguments.of("COM_QUERY syntax error", "0353454c45435420", true));
    }

    /** What {@code port} answers to one command after login, and whether {@code SELECT 1} still works after it. */
    static String commandOutcome(int port, byte[] payload, boolean answered) throws IOException {
        try (RawClient c = RawClient.login(port, Db.APP, Db.APP_PW, "test")) {
            c.writeCommand(payload);
            String answer = "no answer";
            if (answered) {
                RawClient.Packet p = c.readPacket();
                answer = p.isErr() ? p.err().toString() : "packet 0x" + Integer.toHexString(p.first());
            }
            return answer + ", then SELECT 1 = " + c.query("SELECT 1").single();
        }
    }

    /** A COM_QUERY larger than one packet (split at 16 MiB - 1, with an empty last packet when exactly that long). */
    @ParameterizedTest(name = "{0} bytes of SQL")
    @ValueSource(ints = {17 << 20, RawClient.MAX_PAYLOAD - 1})
    void queryLargerThanOnePacketIsForwardedWhole(int payloadLength) throws Exception {
        String prefix = "SELECT LENGTH('";
        String suffix = "'), 'end'";
        int literal = payloadLength - 1 - prefix.length() - suffix.length();
        byte[] payload = new byte[payloadLength];
        payload[0] = 0x03;
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        byte[] s = suffix.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(p, 0, payload, 1, p.length);
        Arrays.fill(payload, 1 + p.length, 1 + p.length + literal, (byte) 'a');
        System.arraycopy(s, 0, payload, 1 + p.length + literal, s.length);
        try (RawClient c = RawClient.login(proxy.writePort(), Db.APP, Db.APP_PW, "test")) {
            c.setTimeout(Duration.ofSeconds(30));
            RawClient.Result r = c.readResult(c.command(payload));
            assertNull(r.err(), () -> "the big query failed: " + r.err());
            assertEquals(List.of(String.valueOf(literal), "end"), r.rows().get(0));
            assertEquals("1", c.query("SELECT 1").single(), "in sync after the split packet");
        }
        assertUnharmed();
    }
}
