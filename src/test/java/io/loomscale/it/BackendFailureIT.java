package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend that dies (kill -9) while it streams a large result to a client. This test starts its
 * own throw-away cluster with {@code tests-integration/cluster.sh} (base port
 * {@link TestCluster#BASE_PORT} + 2000, files in {@code target/it-kill}; only its primary is used,
 * the replicas are stopped at once) and its own proxy over that primary, so the shared cluster is
 * never harmed. The client must get an error within 10 s, a session on the shared cluster must go
 * on working meanwhile, and no session may be left on the proxy. What the client receives on the
 * wire is checked byte by byte too, after the kill and after a deterministic cut in the middle of
 * a packet made by a {@link CuttingRelay} in front of the shared primary.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BackendFailureIT {
    private static final int BASE_PORT = TestCluster.BASE_PORT + 2000;
    private static final int ROW_BYTES = 200; // < 251: a one-byte length
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(2);

    private static Path dir;
    private static boolean clusterStarted;
    private static TestProxy doomedProxy;
    private static long primaryPid;
    private static int primaryPort;
    private static CuttingRelay relay;
    private static boolean killed;

    @BeforeAll
    static void startDoomedServer() throws Exception {
        TestCluster.get(); // the shared cluster, for the bystander session
        dir = TestProxy.projectDir().resolve("target/it-kill");
        String env = script("start", "--base-port", String.valueOf(BASE_PORT), "--dir", dir.toString());
        clusterStarted = true;
        Map<String, String> vars = parseEnv(env);
        primaryPid = pidFromFile();
        assertEquals(vars.get("PRIMARY_PID"), String.valueOf(primaryPid), "pid file and cluster.env");
        script("stop-node", "2", "--base-port", String.valueOf(BASE_PORT), "--dir", dir.toString());
        script("stop-node", "3", "--base-port", String.valueOf(BASE_PORT), "--dir", dir.toString());
        primaryPort = Integer.parseInt(vars.get("PRIMARY_PORT"));
        relay = new CuttingRelay(TestProxy.HOST, TestCluster.get().primaryPort());
        doomedProxy = TestProxy.start("backend-failure", service("doomed", primaryPort) + service("relayed", relay.port()));
    }

    private static long pidFromFile() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("s1/mariadbd.pid")).trim());
    }

    /** Restarts the doomed server if an earlier test killed it. */
    @BeforeEach
    void doomedServerRunning() throws Exception {
        if (!killed) {
            return;
        }
        // a dying process may still accept connections for a moment: wait for it to be gone
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ProcessHandle.of(primaryPid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pid " + primaryPid + " still alive 20 s after SIGKILL");
            }
            Thread.sleep(50);
        }
        script("start-node", "1", "--base-port", String.valueOf(BASE_PORT), "--dir", dir.toString());
        primaryPid = pidFromFile();
        killed = false;
    }

    /** SIGKILL to the doomed server; returns when it was sent. */
    private static long kill() {
        ProcessHandle server = ProcessHandle.of(primaryPid).orElseThrow(
                () -> new AssertionError("the doomed mariadbd (pid " + primaryPid + ") is not running"));
        long at = System.nanoTime();
        killed = true;
        assertTrue(server.destroyForcibly(), "SIGKILL to pid " + primaryPid);
        return at;
    }

    /** A server, a readconnroute service on it alone and a listener, all named {@code name}. */
    private static String service(String name, int serverPort) {
        return "[server." + name + "]\naddress = \"127.0.0.1\"\nport = " + serverPort + "\n\n[service." + name
                + "]\nrouter = \"readconnroute\"\nrouter_options = \"running\"\nservers = [\"" + name + "\"]\nuser = \""
                + TestCluster.SERVICE_USER + "\"\npassword = \"" + TestCluster.SERVICE_PASSWORD + "\"\n\n"
                + TestProxy.listener(name, name, TestProxy.freePort());
    }

    @AfterAll
    static void stopDoomedServer() throws Exception {
        if (doomedProxy != null) {
            doomedProxy.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (clusterStarted) {
            script("stop", "--base-port", String.valueOf(BASE_PORT), "--dir", dir.toString());
        }
    }

    @Test
    void clientStreamingFromAKilledBackendGetsAnErrorAndOthersGoOn() throws Exception {
        TestProxy shared = TestProxy.shared();
        int port = doomedProxy.port("doomed");
        try (Connection bystander = Db.app(shared.writePort()); Connection victim = Db.app(port)) {
            Statement st = victim.createStatement(); // not closed: closing skips the rest of the stream
            assertEquals(1, doomedProxy.sessions());
            st.setFetchSize(100); // stream: rows are read from the socket as next() needs them
            ResultSet rs = st.executeQuery("SELECT seq, REPEAT('x', 200) FROM seq_1_to_100000000");
            for (int i = 1; i <= 1000; i++) {
                assertTrue(rs.next());
                assertEquals(i, rs.getLong(1));
            }

            long killedAt = kill();
            assertEquals("1", Db.scalar(bystander, "SELECT 1"), "the bystander right after the kill");

            SQLException failure = assertThrows(SQLException.class, () -> {
                long rows = 1000;
                while (rs.next()) {
                    rows++;
                    if (System.nanoTime() - killedAt > TimeUnit.SECONDS.toNanos(10)) {
                        throw new AssertionError("still reading rows (" + rows + ") 10 s after the kill");
                    }
                }
                throw new AssertionError("the result ended normally after " + rows + " rows");
            });
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertTrue(ms < 10_000, "the error came " + ms + " ms after the kill: " + failure);
            System.err.println("[BackendFailureIT] client got after " + ms + " ms: " + failure.getErrorCode() + " "
                    + failure.getSQLState() + " " + failure.getMessage() + " caused by " + failure.getCause());
            assertEquals("2", Db.scalar(bystander, "SELECT 2"), "the bystander after the failure");
        }
        assertEquals(0, doomedProxy.awaitSessions(0, Duration.ofSeconds(5)), "sessions left on the proxy");
        assertEquals(0, doomedProxy.server("doomed").connections(), "backend connections the proxy counts");

        SQLException refused = assertThrows(SQLException.class, () -> Db.app(port).close(),
                "a new session on the dead server");
        System.err.println("[BackendFailureIT] new session refused: " + refused.getErrorCode() + " "
                + refused.getMessage());
        assertEquals(0, doomedProxy.awaitSessions(0, Duration.ofSeconds(5)), "sessions after the refused login");
    }

    /**
     * What a client sees on the wire when the backend dies mid-result. The client reads
     * continuously, so the server writes its 16 KB network buffers as fast as it can, and the kill
     * almost always leaves the last row packet cut in the middle; the proxy forwards rows as they
     * arrive, so the client then holds part of a packet and the proxy can only close. Either way
     * every byte the client gets must be the server's: whole rows, then either the ERR 2013
     * (CR_SERVER_LOST) the proxy sends when the cut falls between packets, or the first bytes of
     * the next row and the close. Bytes appended to a cut-off packet (such as that ERR) are read
     * by the client as row data.
     */
    @Test
    void clientReceivesOnlyTheServersBytesThenAnErrOrTheClose() throws Exception {
        byte[] all = streamUntilClosed(doomedProxy.port("doomed"), BackendFailureIT::kill);
        System.err.println("[BackendFailureIT] kill -9, raw client: " + assertServersBytesThenErrOrClose(all));
        assertEquals(0, doomedProxy.awaitSessions(0, Duration.ofSeconds(5)), "sessions left on the proxy");
    }

    /**
     * The same with the cut made certain: a {@link CuttingRelay} between the proxy and the shared
     * primary forwards half of a row packet and closes the backend connection. The client must
     * get that half row and the close, nothing else.
     */
    @Test
    void backendConnectionCutInTheMiddleOfARowPassesNoForeignBytes() throws Exception {
        byte[] all = streamUntilClosed(doomedProxy.port("relayed"), () -> {
            relay.armCut(512 << 10);
            return System.nanoTime();
        });
        String outcome = assertServersBytesThenErrOrClose(all);
        System.err.println("[BackendFailureIT] relay " + relay.cutReport() + "; raw client: " + outcome);
        assertTrue(relay.cutReport() != null && outcome.contains(" cut after "), "the relay cut a row: " + outcome);
        assertEquals(0, doomedProxy.awaitSessions(0, Duration.ofSeconds(5)), "sessions left on the proxy");
    }

    /**
     * Logs in on {@code port}, sends the large query and reads the stream in a virtual thread;
     * after 1 MB runs {@code failure} (which returns when the failure began) and returns every
     * byte received until the proxy closed, which must be within 10 s.
     */
    private static byte[] streamUntilClosed(int port, java.util.concurrent.Callable<Long> failure) throws Exception {
        try (RawClient c = RawClient.login(port, Db.APP, Db.APP_PW, "test")) {
            c.writeCommand(("\u0003SELECT seq, REPEAT('x', " + ROW_BYTES + ") FROM seq_1_to_100000000")
                    .getBytes(StandardCharsets.US_ASCII));
            java.util.concurrent.CompletableFuture<byte[]> stream = new java.util.concurrent.CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    stream.complete(c.readUntilEndOfStream(Duration.ofSeconds(20), new java.io.ByteArrayOutputStream()));
                } catch (Throwable t) {
                    stream.completeExceptionally(t);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.bytesRead() < (1 << 20)) {
                assertTrue(System.nanoTime() < deadline && !stream.isDone(), "1 MB of result within 10 s");
                Thread.sleep(5);
            }
            long failedAt = failure.call();
            byte[] all = stream.get(10, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failedAt);
            assertTrue(ms < 10_000, "closed " + ms + " ms after the failure");
            return all;
        }
    }

    /**
     * Checks a result stream of the query above: result header, whole rows, then the ERR 2013 or
     * the first bytes of the next row; returns how it ended.
     */
    private static String assertServersBytesThenErrOrClose(byte[] all) {
        int pos = 0;
        int seq = 0;
        for (int i = 0; i < 4; i++) { // column count, 2 column definitions, EOF
            assertEquals(++seq & 0xff, all[pos + 3] & 0xff);
            pos += 4 + length(all, pos);
        }
        long row = 0;
        while (true) {
            byte[] expected = rowPacket(row + 1, ++seq & 0xff);
            int have = all.length - pos;
            int n = have >= 4 ? 4 + length(all, pos) : Integer.MAX_VALUE;
            if (have == 0) {
                return "closed after row " + row;
            }
            if (have >= 5 && n <= have && (all[pos + 4] & 0xff) == 0xff) {
                RawClient.Err err = RawClient.Err.decode(Arrays.copyOfRange(all, pos + 4, pos + n));
                assertEquals(seq & 0xff, all[pos + 3] & 0xff, "sequence id of " + err);
                assertEquals(2013, err.code(), err.toString());
                assertEquals(pos + n, all.length, "nothing after " + err);
                return "whole rows to " + row + ", then " + err;
            }
            int k = Math.min(have, expected.length);
            int m = Arrays.mismatch(all, pos, pos + k, expected, 0, k);
            if (m >= 0) {
                throw new AssertionError("row " + (row + 1) + " (" + expected.length + " bytes with header) is the"
                        + " server's for " + m + " bytes, then comes what the server did not send ("
                        + (have - m) + " bytes to the close): "
                        + HexFormat.of().formatHex(all, pos + m, Math.min(all.length, pos + m + 100)) + " = \""
                        + new String(all, pos + m, Math.min(have - m, 100), StandardCharsets.ISO_8859_1) + "\"");
            }
            if (have < expected.length) {
                return "row " + (row + 1) + " cut after " + have + " of " + expected.length + " bytes, then closed";
            }
            pos += expected.length;
            row++;
        }
    }

    private static int length(byte[] b, int pos) {
        return (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16;
    }

    /** The text-protocol packet of row {@code k} of the query above: seq, REPEAT('x', ROW_BYTES). */
    private static byte[] rowPacket(long k, int seq) {
        byte[] digits = String.valueOf(k).getBytes(StandardCharsets.US_ASCII);
        byte[] head = new RawClient.Writer().int1(digits.length).bytes(digits).int1(ROW_BYTES).toByteArray();
        int len = head.length + ROW_BYTES;
        byte[] p = new byte[4 + len];
        p[0] = (byte) len;
        p[1] = (byte) (len >>> 8);
        p[2] = (byte) (len >>> 16);
        p[3] = (byte) seq;
        System.arraycopy(head, 0, p, 4, head.length);
        Arrays.fill(p, 4 + head.length, p.length, (byte) 'x');
        return p;
    }

    /** Runs cluster.sh; its stderr goes to ours; returns its stdout. */
    private static String script(String... args) {
        return TestCluster.script(TestProxy.projectDir(), SCRIPT_TIMEOUT, args);
    }

    private static Map<String, String> parseEnv(String text) {
        Map<String, String> m = TestCluster.parseEnv(text);
        if (!m.containsKey("PRIMARY_PID") || !m.containsKey("PRIMARY_PORT")) {
            throw new IllegalStateException("cluster.sh start printed no PRIMARY_PID/PRIMARY_PORT:\n" + text);
        }
        return m;
    }
}
