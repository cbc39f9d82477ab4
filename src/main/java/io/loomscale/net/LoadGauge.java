package io.loomscale.net;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live load of one backend server, fed by its connections' endpoints: the replies outstanding
 * right now over every connection (MaxScale's "current operations") and a moving average of the
 * response time (the time from a command sent on an idle connection to the end of its last
 * reply). Routers read both to pick the least loaded or fastest server.
 *
 * <p>Thread-safe. The average is updated without a lock: two loops updating it at the same time
 * may lose one sample, which a moving average does not notice.
 */
public final class LoadGauge {
    /** Weight of a new sample in the moving average. */
    private static final double ALPHA = 0.1;

    private final AtomicInteger operations = new AtomicInteger();
    private volatile double averageNanos;
    private volatile long samples;

    /** Replies outstanding on all connections to the server (never negative). */
    public int operations() {
        return Math.max(0, operations.get());
    }

    /** Moving average of the response time in nanoseconds; 0 until the first sample. */
    public double averageNanos() {
        return averageNanos;
    }

    public long samples() {
        return samples;
    }

    void add(int delta) {
        operations.addAndGet(delta);
    }

    void sample(long nanos) {
        double avg = averageNanos;
        averageNanos = samples == 0 ? nanos : avg + ALPHA * (nanos - avg);
        samples++;
    }
}
