package io.loomscale.net;

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
 */
public abstract class Endpoint {
    protected final SocketChannel channel;
    protected final EventLoop loop;
    private volatile SelectionKey key;
    private final ReentrantLock outLock = new ReentrantLock();
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private volatile long pendingBytes;
    private volatile boolean closed;

    protected Endpoint(SocketChannel channel, EventLoop loop) {
        this.channel = channel;
        this.loop = loop;
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
        outLock.lock();
        try {
            if (pending.isEmpty()) {
                while (src.hasRemaining()) {
                    if (channel.write(src) == 0) {
                        break;
                    }
                }
                if (!src.hasRemaining()) {
                    return;
                }
            }
            ByteBuffer copy = ByteBuffer.allocate(src.remaining());
            copy.put(src).flip();
            pending.addLast(copy);
            pendingBytes += copy.remaining();
        } finally {
            outLock.unlock();
        }
        wantWrite(true);
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
