package io.loomscale.session;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The session's event queue: client packets and backend events posted by selector threads, kill
 * requests posted by other sessions. Many producers, one consumer (the session's virtual thread),
 * which parks while it is empty; a producer unparks it only when it is actually waiting.
 */
final class Inbox {
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private volatile Thread waiter;

    void post(Object event) {
        queue.offer(event);
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Next event, or null after {@code timeoutNanos} (0 = wait forever). */
    Object take(long timeoutNanos) throws InterruptedException {
        Object e = queue.poll();
        if (e != null) {
            return e;
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        waiter = Thread.currentThread();
        try {
            while ((e = queue.poll()) == null) {
                if (timeoutNanos > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return e;
        } finally {
            waiter = null;
        }
    }

    Object poll() {
        return queue.poll();
    }
}
