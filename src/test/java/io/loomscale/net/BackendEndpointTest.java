package io.loomscale.net;

import io.loomscale.protocol.Fixtures;
import io.loomscale.protocol.PacketBuilder;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.protocol.ServerStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives a real {@link EventLoop} with loopback sockets: a fake server writes replies in pieces,
 * the test reads what the proxy forwards to its fake client.
 */
class BackendEndpointTest {
    private EventLoop loop;
    private SocketChannel server;      // the "MariaDB server" end, written by the test
    private SocketChannel clientPeer;  // the "client application" end, read by the test
    private BackendEndpoint backend;
    private ClientEndpoint client;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<byte[]> captured = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<byte[]> clientPackets = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<long[]> ends = new LinkedBlockingQueue<>();

    private static SocketChannel[] pair() throws IOException {
        try (ServerSocketChannel ss = ServerSocketChannel.open()) {
            ss.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel a = SocketChannel.open(ss.getLocalAddress());
            SocketChannel b = ss.accept();
            return new SocketChannel[] {a, b};
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        loop = new EventLoop("test-loop");
        loop.start();
        SocketChannel[] b = pair();
        SocketChannel[] c = pair();
        server = b[1];
        clientPeer = c[0];
        b[0].configureBlocking(false);
        c[1].configureBlocking(false);
        backend = new BackendEndpoint(b[0], loop, new ReplyTracker(false), new BackendEndpoint.Listener() {
            @Override
            public void replyEnded(BackendEndpoint be, int expectation, int header, int status, long rows, long bytes,
                    byte[] collected) {
                events.add("end:" + header + ":" + status);
                ends.add(new long[] {rows, bytes, expectation});
                if (collected != null) {
                    captured.add(collected);
                }
            }

            @Override
            public void captured(BackendEndpoint be, byte[] packet) {
                captured.add(packet);
            }

            @Override
            public void backendFailed(BackendEndpoint be, IOException cause, byte[] serverPacket) {
                events.add("failed:" + cause.getMessage());
            }
        });
        client = new ClientEndpoint(c[1], loop, new ClientEndpoint.Sink() {
            @Override
            public void clientPacket(byte[] packet) {
                clientPackets.add(packet);
            }

            @Override
            public void clientClosed(IOException cause) {
                events.add("client-closed");
            }
        });
        backend.client(client);
        backend.register();
        client.register();
    }

    @AfterEach
    void tearDown() throws IOException {
        backend.close();
        client.close();
        server.close();
        clientPeer.close();
        loop.shutdown();
    }

    private byte[] readFromProxy(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        ch.socket().setSoTimeout(5000);
        var in = ch.socket().getInputStream();
        byte[] out = in.readNBytes(n);
        assertEquals(n, out.length, "bytes forwarded");
        return out;
    }

    private void writePieces(byte[] data, int piece) throws IOException, InterruptedException {
        for (int i = 0; i < data.length; i += piece) {
            server.write(ByteBuffer.wrap(data, i, Math.min(piece, data.length - i)));
            if (piece < 8) {
                Thread.sleep(0, 200_000);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 100, 1 << 20})
    void resultSetArrivingInPiecesIsForwardedByteForByteAndEndsOnce(int piece) throws Exception {
        byte[] query = new PacketBuilder().int1(3).string("select * from t").build(0);
        backend.send(query, ReplyTracker.RESULT | ReplyTracker.FORWARD | ReplyTracker.NOTIFY);
        assertArrayEquals(query, readFromProxy(server, query.length));
        byte[] rs = Fixtures.resultSet(false, ServerStatus.AUTOCOMMIT, 2, piece < 8 ? 40 : 3000);
        writePieces(rs, piece);
        assertArrayEquals(rs, readFromProxy(clientPeer, rs.length));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(List.of("end:254:2"), events);
        assertTrue(backend.tracker().isIdle());
    }

    @Test
    void capturedReplyGoesToTheSessionNotTheClient() throws Exception {
        backend.send(new PacketBuilder().int1(0x0e).build(0), ReplyTracker.ONE_PACKET | ReplyTracker.CAPTURE);
        byte[] ok = Fixtures.ok(1, ServerStatus.AUTOCOMMIT);
        writePieces(ok, 2);
        byte[] got = captured.poll(5, TimeUnit.SECONDS);
        assertNotNull(got);
        assertArrayEquals(ok, got);
        // Then a forwarded reply still reaches the client, and nothing of the captured one did.
        backend.send(new PacketBuilder().int1(0x0e).build(0), ReplyTracker.ONE_PACKET | ReplyTracker.FORWARD);
        writePieces(ok, ok.length);
        assertArrayEquals(ok, readFromProxy(clientPeer, ok.length));
    }

    @Test
    void clientPacketsAreFramedAcrossReads() throws Exception {
        byte[] a = new PacketBuilder().int1(3).string("select 1").build(0);
        byte[] big = new PacketBuilder(200_000).int1(3).zeros(199_999).build(0); // larger than a read buffer
        byte[] both = Fixtures.concat(a, big, a);
        for (int i = 0; i < both.length; i += 4093) {
            clientPeer.write(ByteBuffer.wrap(both, i, Math.min(4093, both.length - i)));
        }
        assertArrayEquals(a, clientPackets.poll(5, TimeUnit.SECONDS));
        assertArrayEquals(big, clientPackets.poll(5, TimeUnit.SECONDS));
        assertArrayEquals(a, clientPackets.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void serverClosingMidReplyIsReportedAsFailure() throws Exception {
        backend.send(new PacketBuilder().int1(3).string("select").build(0), ReplyTracker.RESULT | ReplyTracker.FORWARD);
        byte[] rs = Fixtures.resultSet(false, 2, 1, 100);
        server.write(ByteBuffer.wrap(rs, 0, rs.length / 2));
        server.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, events.size());
        assertTrue(events.get(0).startsWith("failed:"), events.toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1 << 20})
    void replyEndReportsRowsBytesAndTicketWhileStreaming(int piece) throws Exception {
        int ticket = 42 << ReplyTracker.TICKET_SHIFT;
        backend.send(new PacketBuilder().int1(3).string("select").build(0),
                ReplyTracker.RESULT | ReplyTracker.FORWARD | ReplyTracker.NOTIFY | ticket);
        byte[] rs = Fixtures.resultSet(false, ServerStatus.AUTOCOMMIT, 2, piece < 8 ? 30 : 500);
        writePieces(rs, piece);
        assertArrayEquals(rs, readFromProxy(clientPeer, rs.length));
        long[] end = ends.poll(5, TimeUnit.SECONDS);
        assertNotNull(end);
        assertEquals(piece < 8 ? 30 : 500, end[0], "rows");
        assertEquals(rs.length, end[1], "bytes");
        assertEquals(42, (int) end[2] >>> ReplyTracker.TICKET_SHIFT, "ticket");
        assertTrue(captured.isEmpty(), "a forwarded reply is not handed to the session");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1 << 20})
    void collectedReplyReachesTheSessionWholeAndNotTheClient(int piece) throws Exception {
        backend.send(new PacketBuilder().int1(3).string("select").build(0),
                ReplyTracker.RESULT | ReplyTracker.COLLECT | ReplyTracker.NOTIFY);
        byte[] rs = Fixtures.resultSet(false, ServerStatus.AUTOCOMMIT, 3, piece < 8 ? 20 : 2000);
        writePieces(rs, piece);
        byte[] got = captured.poll(5, TimeUnit.SECONDS);
        assertNotNull(got);
        assertArrayEquals(rs, got);
        assertEquals(piece < 8 ? 20 : 2000, ends.poll(5, TimeUnit.SECONDS)[0]);
        // Nothing of it went to the client: the next forwarded reply is the first thing it reads.
        byte[] ok = Fixtures.ok(1, ServerStatus.AUTOCOMMIT);
        backend.send(new PacketBuilder().int1(0x0e).build(0), ReplyTracker.ONE_PACKET | ReplyTracker.FORWARD);
        writePieces(ok, ok.length);
        assertArrayEquals(ok, readFromProxy(clientPeer, ok.length));
    }
}
