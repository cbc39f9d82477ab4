package io.loomscale.net;

import io.loomscale.tls.TlsEngine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One socket registered with an {@link EventLoop}. Reads happen on the loop thread only. Writes
 * may come from the loop (streamed replies) or from the session's virtual thread (commands, locally
 * made packets); they go straight to the socket when nothing is queued, and what the kernel does
 * not take is copied to a queue that the loop flushes when the socket is writable. The lock guards
 * only the queue and a non-blocking write; it is never held while waiting.
 *
 * <p>TLS: with a {@link TlsEngine}, {@link #readIn} unwraps on the loop thread and {@link #write}
 * encrypts under the output lock (so records leave in the order their plaintext was written).
 * Plaintext the engine holds after a read is not signalled by the selector, so {@link #readable}
 * drains it before returning, and resuming reads ({@link #setReading}) schedules a drain.
 */
public abstract class Endpoint implements TlsEngine.ControlWriter {
    protected final SocketChannel channel;
    protected final EventLoop loop;
    private final TlsEngine tls;
    private volatile boolean readingOn = true;
    private boolean drainingTls;   // loop thread: reading what the TLS engine buffered, not the socket
    private int lastRead;          // loop thread: what the last readIn returned
    private volatile SelectionKey key;
    private final ReentrantLock outLock = new ReentrantLock();
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private volatile long pendingBytes;
    private volatile boolean closed;

    protected Endpoint(SocketChannel channel, EventLoop loop) {
        this(channel, loop, null);
    }

    /** {@code tls}: the connection's engine after its TLS handshake, or null for plain TCP. */
    protected Endpoint(SocketChannel channel, EventLoop loop, TlsEngine tls) {
        this.channel = channel;
        this.loop = loop;
        this.tls = tls;
    }

    /** The TLS engine, or null for a plain connection. */
    public TlsEngine tls() {
        return tls;
    }

    public EventLoop loop() {
        return loop;
    }

    public SocketChannel channel() {
        return channel;
    }

    /** Registers with the loop for reading; call from any thread once the socket is non-blocking. */
    public void register() {
        loop.execute(() -> {
            try {
                if (closed) {
                    return;
                }
                key = channel.register(loop.selector(), SelectionKey.OP_READ | (pendingBytes > 0 ? SelectionKey.OP_WRITE : 0), this);
            } catch (ClosedChannelException e) {
                fail(e);
                return;
            }
            if (tls != null && tls.hasBufferedInput()) {
                readable(); // read ahead during the handshake: no socket event will announce it
            }
        });
    }

    protected SelectionKey key() {
        return key;
    }

    /** Bytes queued and not yet written. */
    public long pendingBytes() {
        return pendingBytes;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Writes a whole array from any thread; never blocks. */
    public void write(byte[] data) throws IOException {
        write(ByteBuffer.wrap(data));
    }

    /**
     * Writes {@code src} from any thread without blocking; what the socket does not take now is
     * copied and queued. {@code src} is fully consumed on return.
     */
    public void write(ByteBuffer src) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        boolean queued;
        outLock.lock();
        try {
            if (tls == null) {
                queued = writeLocked(src);
            } else {
                queued = false;
                do {
                    queued |= writeLocked(tls.wrap(src));
                } while (src.hasRemaining());
            }
        } finally {
            outLock.unlock();
        }
        if (queued) {
            wantWrite(true);
        }
    }

    /** TLS: writes the handshake records an unwrap asked for (any thread that read). */
    @Override
    public void writeTlsControl() throws IOException {
        write(ByteBuffer.allocate(0));
    }

    /** Under the lock: writes or queues all of {@code src}; true if something was queued. */
    private boolean writeLocked(ByteBuffer src) throws IOException {
        if (pending.isEmpty()) {
            while (src.hasRemaining()) {
                if (channel.write(src) == 0) {
                    break;
                }
            }
            if (!src.hasRemaining()) {
                return false;
            }
        }
        ByteBuffer copy = ByteBuffer.allocate(src.remaining());
        copy.put(src).flip();
        pending.addLast(copy);
        pendingBytes += copy.remaining();
        return true;
    }

    private void wantWrite(boolean on) {
        SelectionKey k = key;
        if (k == null) {
            return; // register() picks up pending output
        }
        try {
            if (on) {
                k.interestOpsOr(SelectionKey.OP_WRITE);
                loop.wakeup();
            } else {
                k.interestOpsAnd(~SelectionKey.OP_WRITE);
            }
        } catch (java.nio.channels.CancelledKeyException ignored) {
            // closed
        }
    }

    /** Stops or resumes reading (backpressure). Safe from any thread. */
    protected void setReading(boolean on) {
        readingOn = on;
        if (on && tls != null) {
            loop.execute(this::drainTls); // plaintext the engine held while reading was off
        }
        SelectionKey k = key;
        if (k == null) {
            return;
        }
        try {
            if (on) {
                k.interestOpsOr(SelectionKey.OP_READ);
                loop.wakeup();
            } else {
                k.interestOpsAnd(~SelectionKey.OP_READ);
            }
        } catch (java.nio.channels.CancelledKeyException ignored) {
            // closed
        }
    }

    /** Loop thread: flush queued output. */
    final void onWritable() {
        boolean drained;
        outLock.lock();
        try {
            ByteBuffer b;
            while ((b = pending.peekFirst()) != null) {
                int n;
                try {
                    n = channel.write(b);
                } catch (IOException e) {
                    fail(e);
                    return;
                }
                pendingBytes -= n;
                if (b.hasRemaining()) {
                    break;
                }
                pending.pollFirst();
            }
            drained = pending.isEmpty();
        } finally {
            outLock.unlock();
        }
        if (drained) {
            wantWrite(false);
            onDrained();
        }
    }

    /** Loop thread: the output queue became empty. */
    protected void onDrained() {
    }

    /**
     * Loop thread: the socket has data. With TLS, also delivers what the engine still buffers
     * (without reading the socket again, so one busy connection cannot hold the loop) while
     * reading is on and each round makes progress.
     */
    final void readable() {
        if (closed || key == null) {
            return;
        }
        onReadable();
        if (tls == null) {
            return;
        }
        drainingTls = true;
        try {
            while (!closed && readingOn && lastRead > 0 && tls.hasBufferedInput()) {
                onReadable();
            }
        } finally {
            drainingTls = false;
        }
    }

    private void drainTls() {
        if (tls.hasBufferedInput()) {
            readable();
        }
    }

    /**
     * Loop thread: reads into {@code dst} (plaintext): the socket's bytes, or with TLS what the
     * engine decrypts. Returns the bytes read, 0 if none, -1 at the end of the stream.
     */
    protected final int readIn(ByteBuffer dst) throws IOException {
        int n = tls == null ? channel.read(dst) : tls.read(channel, dst, !drainingTls, this);
        lastRead = n;
        return n;
    }

    /** Loop thread: the socket has data. */
    abstract void onReadable();

    /** The connection failed; close it and tell its owner. Any thread. */
    abstract void fail(IOException cause);

    /** Closes the socket; idempotent, any thread. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SelectionKey k = key;
        if (k != null) {
            k.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        loop.wakeup();
        onClosed();
    }

    /** After close: return buffers. Called once, on the closing thread. */
    protected void onClosed() {
    }
}
