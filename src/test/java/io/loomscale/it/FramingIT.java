package io.loomscale.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Packet framing in both directions through readconnroute, around the proxy's 64 KiB read
 * buffers: commands written a byte at a time, many commands in one write (pipelined), commands
 * and result rows whose sizes straddle the buffer size.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FramingIT {
    private static final int BUFFER = 64 * 1024;

    private static TestProxy proxy;

    @BeforeAll
    static void setUp() {
        proxy = TestProxy.shared();
    }

    /** {@code SELECT LENGTH('aaa...'), 'tag'} as a COM_QUERY payload of exactly {@code payloadLength} bytes. */
    private static byte[] lengthQuery(int payloadLength, String tag) {
        String prefix = "SELECT LENGTH('";
        String suffix = "'), '" + tag + "'";
        int literal = payloadLength - 1 - prefix.length() - suffix.length();
        return ("\u0003" + prefix + "a".repeat(literal) + suffix).getBytes(StandardCharsets.US_ASCII);
    }

    private static int literalLength(byte[] payload, String tag) {
        return payload.length - 1 - "SELECT LENGTH('".length() - ("'), '" + tag + "'").length();
    }

    @Test
    void commandWrittenOneByteAtATimeIsFramed() throws Exception {
        try (RawClient c = RawClient.login(proxy.writePort(), Db.APP, Db.APP_PW, "test")) {
            byte[] packet = RawClient.framed(0, "\u0003SELECT 'slow' AS s, 17 * 3".getBytes(StandardCharsets.US_ASCII));
            for (byte b : packet) {
                c.writeRaw(new byte[] {b});
                Thread.sleep(2);
            }
            RawClient.Result r = c.readResult(c.readPacket());
            assertNull(r.err());
            assertEquals(List.of("slow", "51"), r.rows().get(0));
        }
    }

    @ParameterizedTest(name = "packet of {0} bytes")
    @ValueSource(ints = {BUFFER - 5, BUFFER - 4, BUFFER - 1, BUFFER, BUFFER + 1, 2 * BUFFER + 3, 5 * BUFFER - 4})
    void commandSizesAroundTheReadBufferAreFramed(int packetBytes) throws Exception {
        byte[] payload = lengthQuery(packetBytes - 4, "t");
        try (RawClient c = RawClient.login(proxy.writePort(), Db.APP, Db.APP_PW, "test")) {
            RawClient.Result r = c.readResult(c.command(payload));
            assertNull(r.err(), () -> String.valueOf(r.err()));
            assertEquals(List.of(String.valueOf(literalLength(payload, "t")), "t"), r.rows().get(0));
            assertEquals("1", c.query("SELECT 1").single());
        }
    }

    /**
     * Commands larger than the 4 MiB the proxy lets wait for a session (it stops reading the
     * client above that and resumes when the session has taken them): each must be answered. A
     * read pause that is never resumed hangs the client, which the read timeout turns into a
     * failure. The pause and the session's resume race, so four clients send 40 such commands
     * each at the same time, on both selector threads.
     */
    @Test
    void commandsLargerThanTheInboxLimitAreAllAnswered() throws Exception {
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> clients = new java.util.ArrayList<>();
            for (int k = 0; k < 4; k++) {
                int client = k;
                clients.add(pool.submit(() -> {
                    bigCommands(client, 40);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : clients) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof AssertionError a) {
                        throw a;
                    }
                    throw e;
                }
            }
        }
    }

    private static void bigCommands(int client, int count) throws Exception {
        try (RawClient c = RawClient.login(proxy.writePort(), Db.APP, Db.APP_PW, "test")) {
            c.setTimeout(java.time.Duration.ofSeconds(15));
            for (int i = 0; i < count; i++) {
                String tag = "c" + client + "n" + i;
                byte[] payload = lengthQuery((4 << 20) + 1024 + i * 4099, tag);
                RawClient.Result r;
                try {
                    r = c.readResult(c.command(payload));
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("client " + client + ": command " + i + " (" + payload.length
                            + " bytes) got no answer in 15 s", e);
                }
                assertNull(r.err(), tag);
                assertEquals(List.of(String.valueOf(literalLength(payload, tag)), tag), r.rows().get(0), tag);
            }
        }
    }

    /** 40 commands of growing sizes in one write: each gets its own result, in order. */
    @Test
    void pipelinedCommandsInOneWriteGetTheirResultsInOrder() throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[][] payloads = new byte[40][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = lengthQuery(100 + i * 3001, "q" + i); // boundaries fall all over the 64 KiB buffers
            all.writeBytes(RawClient.framed(0, payloads[i]));
        }
        try (RawClient c = RawClient.login(proxy.writePort(), Db.APP, Db.APP_PW, "test")) {
            c.writeRaw(all.toByteArray());
            for (int i = 0; i < payloads.length; i++) {
                RawClient.Result r = c.readResult(c.readPacket());
                assertNull(r.err(), "query " + i);
                assertEquals(List.of(String.valueOf(literalLength(payloads[i], "q" + i)), "q" + i), r.rows().get(0),
                        "result " + i);
            }
        }
    }

    @ParameterizedTest(name = "value of {0} bytes")
    @ValueSource(ints = {BUFFER - 10, BUFFER - 8, BUFFER - 4, BUFFER, BUFFER + 7, 3 * BUFFER + 1})
    void rowSizesAroundTheReadBufferArriveWhole(int valueBytes) throws Exception {
        try (RawClient c = RawClient.login(proxy.writePort(), Db.APP, Db.APP_PW, "test")) {
            RawClient.Result r = c.query("SELECT REPEAT('y', " + valueBytes + "), seq FROM seq_1_to_3");
            assertNull(r.err());
            assertEquals(3, r.rows().size());
            for (int i = 0; i < 3; i++) {
                assertEquals("y".repeat(valueBytes), r.rows().get(i).get(0), "row " + (i + 1));
                assertEquals(String.valueOf(i + 1), r.rows().get(i).get(1));
            }
        }
    }
}
