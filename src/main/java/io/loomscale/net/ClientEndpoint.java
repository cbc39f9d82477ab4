package io.loomscale.net;

import io.loomscale.protocol.Packets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's socket after the handshake. The loop reads and frames packets and hands each one,
 * header included, to the session as a {@code byte[]} (one copy of a small statement; the one
 * hand-off per statement). While the session has more than {@link #INBOX_LIMIT} bytes waiting,
 * reading stops, so a client that streams a large LOAD DATA or BLOB cannot fill the heap.
 *
 * <p>Reply streaming from a backend pauses that backend when this socket cannot take more
 * ({@link #pausedPeer}); {@link #onDrained()} resumes it.
 */
public final class ClientEndpoint extends Endpoint {
    static final long INBOX_LIMIT = 4L << 20;

    /** Receives what the loop reads from the client. Called on the loop thread; must not block. */
    public interface Sink {
        void clientPacket(byte[] packet);

        void clientClosed(IOException cause);

        /** Loop thread: forward the packet without the session if possible; true if done. */
        default boolean tryFastPath(byte[] packet) {
            return false;
        }
    }

    private final Sink sink;
    private final AtomicLong queued = new AtomicLong();
    private volatile boolean readPaused;
    private ByteBuffer buf;          // borrowed while a partial packet is held
    private byte[] big;              // a packet larger than one buffer, being filled
    private int bigFill;
    private volatile BackendEndpoint pausedPeer;

    public ClientEndpoint(SocketChannel channel, EventLoop loop, Sink sink) {
        this(channel, loop, sink, null);
    }

    /** {@code tls}: the client's TLS engine after the handshake (it may hold read-ahead), or null. */
    public ClientEndpoint(SocketChannel channel, EventLoop loop, Sink sink, io.loomscale.tls.TlsEngine tls) {
        super(channel, loop, tls);
        this.sink = sink;
    }

    /**
     * The session took {@code bytes} of packets off its inbox. Any thread. Only the loop thread
     * pauses and resumes reading ({@link #recheckPause()}), so the two never undo each other:
     * the session's decrement and the loop's {@code readPaused} write are both volatile, so at
     * least one side sees the other's and the pause cannot be left on with nothing queued.
     */
    public void consumed(int bytes) {
        long now = queued.addAndGet(-bytes);
        if (readPaused && now < INBOX_LIMIT / 2) {
            loop.execute(this::recheckPause);
        }
    }

    /** Loop thread: resume reading once the session has drained its inbox below half the limit. */
    private void recheckPause() {
        if (readPaused && queued.get() < INBOX_LIMIT / 2 && !isClosed()) {
            readPaused = false;
            setReading(true);
        }
    }

    @Override
    void onReadable() {
        if (buf == null) {
            buf = loop.borrow();
        }
        int n;
        try {
            n = big != null ? readBig() : readIn(buf);
        } catch (IOException e) {
            fail(e);
            return;
        }
        if (n < 0) {
            fail(null);
            return;
        }
        if (big == null) {
            frame();
        }
        if (queued.get() > INBOX_LIMIT && !readPaused) {
            readPaused = true;
            setReading(false);
            recheckPause(); // the session may have drained it meanwhile without seeing the pause
        }
    }

    private int readBig() throws IOException {
        ByteBuffer dst = ByteBuffer.wrap(big, bigFill, big.length - bigFill);
        int n = readIn(dst);
        if (n > 0) {
            bigFill += n;
            if (bigFill == big.length) {
                byte[] p = big;
                big = null;
                deliver(p);
            }
        }
        return n;
    }

    private void frame() {
        buf.flip();
        while (buf.remaining() >= Packets.HEADER) {
            int pos = buf.position();
            int len = Packets.payloadLength(buf, pos);
            int total = Packets.HEADER + len;
            if (buf.remaining() >= total) {
                byte[] p = new byte[total];
                buf.get(p);
                deliver(p);
            } else if (total > buf.capacity()) {
                big = new byte[total];
                bigFill = buf.remaining();
                buf.get(big, 0, bigFill);
                break;
            } else {
                break;
            }
        }
        if (buf.hasRemaining()) {
            buf.compact();
        } else {
            loop.giveBack(buf);
            buf = null;
        }
    }

    private void deliver(byte[] p) {
        if (sink.tryFastPath(p)) {
            return;
        }
        queued.addAndGet(p.length);
        loop.countHandoff();
        sink.clientPacket(p);
    }

    /** Loop thread: a backend stops reading until this socket drains. */
    void pauseUntilDrained(BackendEndpoint peer) {
        pausedPeer = peer;
        peer.setReading(false);
    }

    @Override
    protected void onDrained() {
        BackendEndpoint p = pausedPeer;
        if (p != null) {
            pausedPeer = null;
            p.setReading(true);
        }
    }

    @Override
    void fail(IOException cause) {
        if (isClosed()) {
            return;
        }
        close();
        sink.clientClosed(cause);
    }

    @Override
    protected void onClosed() {
        loop.execute(() -> {
            if (buf != null) {
                loop.giveBack(buf);
                buf = null;
            }
            big = null;
        });
    }

    @Override
    public String toString() {
        try {
            return "client " + channel.getRemoteAddress();
        } catch (IOException e) {
            return "client (closed)";
        }
    }
}
