package io.loomscale.net;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

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

    /**
     * Upper bounds (seconds) of the response-time histogram's buckets; the last, +Inf, is implied.
     * Prometheus' defaults, with finer steps below a millisecond where a proxy's replies are.
     */
    public static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10};
    private static final long[] BUCKET_NANOS = new long[BUCKETS.length];

    static {
        for (int i = 0; i < BUCKETS.length; i++) {
            BUCKET_NANOS[i] = (long) (BUCKETS[i] * 1e9);
        }
    }

    private final AtomicInteger operations = new AtomicInteger();
    /** Per bucket (not cumulative), the last one for samples above every bound. */
    private final AtomicLongArray histogram = new AtomicLongArray(BUCKETS.length + 1);
    private final LongAdder sumNanos = new LongAdder();
    private final LongAdder errors = new LongAdder();
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

    /** Samples per bucket of {@link #BUCKETS} (not cumulative; one more for +Inf). */
    public long[] histogram() {
        long[] out = new long[histogram.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = histogram.get(i);
        }
        return out;
    }

    /** The sum of every response time sampled, in nanoseconds. */
    public long sumNanos() {
        return sumNanos.sum();
    }

    /** Connections to the server that failed: could not log in, or broke while in use. */
    public long errors() {
        return errors.sum();
    }

    public void error() {
        errors.increment();
    }

    void sample(long nanos) {
        int i = 0;
        while (i < BUCKET_NANOS.length && nanos > BUCKET_NANOS[i]) {
            i++;
        }
        histogram.incrementAndGet(i);
        sumNanos.add(nanos);
        double avg = averageNanos;
        averageNanos = samples == 0 ? nanos : avg + ALPHA * (nanos - avg);
        samples++;
    }
}
