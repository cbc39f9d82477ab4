package io.loomscale.classifier;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded, lock-free cache from statement digest ({@link Digest}) to a result computed once per
 * digest, such as a parse's classification. Any thread may call any method.
 *
 * <p>Design: a power-of-two array of immutable entries, two slots per set (two-way set
 * associative), indexed by the digest's 64-bit hash. A lookup hashes the statement, then checks
 * at most two entries, comparing the stored digest with the statement's canonical form in place
 * ({@link Digest#matches}), so a hit allocates nothing and a hash collision can never return
 * another statement's result. An insert puts the new entry in the set's first slot and moves the
 * old first one to the second, evicting the older: eviction costs two array writes, no lists or
 * locks. Two threads inserting into one set at once may lose an entry; for a cache that only costs
 * a recomputation. Digests longer than {@code maxDigestChars} are not cached, which bounds memory
 * to about {@code maxEntries * maxDigestChars} characters.
 *
 * @param <V> the cached result; immutable, as threads share it
 */
public final class DigestCache<V> {
    private record Entry<V>(long hash, String digest, V value) {
    }

    private final AtomicReferenceArray<Entry<V>> slots;
    private final int mask;
    private final int maxDigestChars;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /**
     * @param maxEntries the most entries kept; rounded down to a power of two, at least 2
     * @param maxDigestChars longer digests are not cached
     */
    public DigestCache(int maxEntries, int maxDigestChars) {
        if (maxEntries < 2) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 2)");
        }
        int capacity = Integer.highestOneBit(maxEntries);
        this.slots = new AtomicReferenceArray<>(capacity);
        this.mask = capacity - 1;
        this.maxDigestChars = maxDigestChars;
    }

    /** The cached result for {@code sql}'s digest, or null. */
    public V get(CharSequence sql) {
        return get(sql, Digest.hash(sql));
    }

    /** The cached result for {@code sql}, whose {@link Digest#hash} is {@code hash}, or null. */
    public V get(CharSequence sql, long hash) {
        int first = (int) hash & mask & ~1;
        for (int i = first; i <= first + 1; i++) {
            Entry<V> e = slots.get(i);
            if (e != null && e.hash == hash && Digest.matches(sql, e.digest)) {
                hits.increment();
                return e.value;
            }
        }
        misses.increment();
        return null;
    }

    /** Caches {@code value} for {@code sql}'s digest ({@code hash} is its {@link Digest#hash}). */
    public void put(CharSequence sql, long hash, V value) {
        String digest = Digest.of(sql);
        if (digest.length() > maxDigestChars) {
            return;
        }
        Entry<V> e = new Entry<>(hash, digest, value);
        int first = (int) hash & mask & ~1;
        Entry<V> old = slots.get(first);
        if (old == null || (old.hash == hash && old.digest.equals(digest))) {
            slots.set(first, e);
            return;
        }
        Entry<V> second = slots.get(first + 1);
        if (second != null && !(second.hash == hash && second.digest.equals(digest))) {
            evictions.increment();
        }
        slots.set(first + 1, old);
        slots.set(first, e);
    }

    /** Empties the cache; the counters stay. */
    public void clear() {
        for (int i = 0; i < slots.length(); i++) {
            slots.set(i, null);
        }
    }

    /** Counters since creation and the current size (a scan: for diagnostics, not per statement). */
    public Stats stats() {
        int size = 0;
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) != null) {
                size++;
            }
        }
        return new Stats(hits.sum(), misses.sum(), evictions.sum(), size, slots.length());
    }

    /** Cache counters: lookups that hit and missed, entries evicted, entries held and the most held. */
    public record Stats(long hits, long misses, long evictions, int size, int capacity) {
    }
}
