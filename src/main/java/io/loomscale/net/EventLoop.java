package io.loomscale.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One selector thread (a platform thread on epoll). It owns the read side of every socket
 * registered with it, frames packets, runs the backend reply trackers, streams replies from
 * backends to clients, and flushes writes that did not complete at once. It never parses SQL and
 * never blocks except in {@code select()}.
 *
 * <p>Why the split sits here: at 40-100k statements/s on two cores every hand-off between threads
 * (a virtual-thread wake-up costs a queue insert and, when the carrier sleeps, a futex wake and a
 * context switch) is visible in throughput. A statement that a router or filter must see costs
 * one hand-off: the client packet goes from this thread to the session's virtual thread, the
 * session writes the command to the backend socket itself (a non-blocking write), and the reply
 * is streamed by this thread straight from the backend socket to the client socket (no hand-off,
 * no copy beyond the shared read buffer) unless the router or a filter asked to see it. A session
 * whose route is pure forwarding (readconnroute, no filters) offers a
 * {@link io.loomscale.session.FastPath}: this thread forwards its plain commands itself, with no
 * hand-off at all. Measured on 2 cores with sysbench oltp_point_select, one hand-off per statement
 * cost 35 us of proxy CPU per query (1.56x HAProxy); the fast path brought it to 21 us (0.96x).
 * {@link #handoffs()} counts hand-offs so tests and benchmarks can check them per statement.
 *
 * <p>Buffers: one pool of direct buffers per loop, used only on this thread. A connection
 * borrows a buffer for a read and gives it back when no partial packet remains, so an idle
 * connection holds none.
 */
public final class EventLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    static final int BUFFER_SIZE = 64 * 1024;
    private static final int POOL_MAX = 64;

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
    private final AtomicLong handoffs = new AtomicLong();
    private volatile boolean running = true;

    public EventLoop(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this);
    }

    public void start() {
        thread.start();
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    Selector selector() {
        return selector;
    }

    /** Runs {@code task} on this loop's thread (soon, not now). */
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Wakes the selector so that interest changes made from another thread take effect. */
    void wakeup() {
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    ByteBuffer borrow() {
        ByteBuffer b = pool.pollFirst();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(BUFFER_SIZE);
    }

    void giveBack(ByteBuffer b) {
        if (b.isDirect() && b.capacity() == BUFFER_SIZE && pool.size() < POOL_MAX) {
            pool.addFirst(b);
        }
    }

    void countHandoff() {
        handoffs.incrementAndGet();
    }

    /** Hand-offs from this loop to session threads so far (one per client packet delivered). */
    public long handoffs() {
        return handoffs.get();
    }

    public void shutdown() {
        running = false;
        selector.wakeup();
    }

    public void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    @Override
    public void run() {
        while (running) {
            try {
                selector.select(this::dispatch);
                wakeupPending.set(false);
                Runnable r;
                while ((r = tasks.poll()) != null) {
                    try {
                        r.run();
                    } catch (RuntimeException e) {
                        log.error("selector task failed", e);
                    }
                }
            } catch (IOException e) {
                log.error("selector failed", e);
            } catch (RuntimeException e) {
                log.error("selector loop error", e);
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }

    private void dispatch(SelectionKey key) {
        Endpoint ep = (Endpoint) key.attachment();
        try {
            if (!key.isValid()) {
                return;
            }
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                ep.onWritable();
            }
            if (key.isValid() && (ready & SelectionKey.OP_READ) != 0) {
                ep.readable();
            }
        } catch (java.nio.channels.CancelledKeyException e) {
            // closed by another thread meanwhile
        } catch (RuntimeException e) {
            log.error("error on {}", ep, e);
            ep.fail(new IOException("internal error: " + e, e));
        }
    }
}
