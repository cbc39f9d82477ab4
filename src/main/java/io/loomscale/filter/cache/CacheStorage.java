package io.loomscale.filter.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One in-memory store of cached replies (MaxScale's {@code storage_inmemory}): least recently used
 * entries go first when {@code max_count} entries or {@code max_size} bytes are exceeded.
 * Each entry keeps the identifier words of its statement, so a write to table T drops every
 * entry that may read T ({@link #invalidate}). A generation number, bumped by every
 * invalidation, lets a reply that was in flight while a write happened be refused
 * ({@link #put} with the generation seen when the statement was sent): it may hold the old rows.
 *
 * <p>Thread-safe: one lock, held for map operations only (no I/O, no waiting under it).
 */
final class CacheStorage {
    /**
     * What a stored result is for: {@code replyFormat} holds the client capabilities that shape
     * the reply's packets (CLIENT_DEPRECATE_EOF, MariaDB's extended metadata), so a result is only
     * sent to a client that reads the same format.
     */
    record Key(String user, String db, long replyFormat, String sql) {
    }

    static final class Entry {
        final byte[] reply;
        final long storedAt;
        final Set<String> words;
        boolean refreshing; // guarded by the storage lock

        Entry(byte[] reply, long storedAt, Set<String> words) {
            this.reply = reply;
            this.storedAt = storedAt;
            this.words = words;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Key, Entry> map = new LinkedHashMap<>(256, 0.75f, true);
    private final long maxCount;
    private final long maxSize;
    private long size;
    private final AtomicLong generation = new AtomicLong();
    final AtomicLong evictions = new AtomicLong();
    final AtomicLong invalidated = new AtomicLong();

    CacheStorage(long maxCount, long maxSize) {
        this.maxCount = maxCount;
        this.maxSize = maxSize;
    }

    long generation() {
        return generation.get();
    }

    /**
     * The entry for {@code k} if it may be served: younger than {@code hardNanos} (0 = no limit);
     * an entry older than {@code softNanos} is served to everyone but the first who asks, who
     * gets null and refreshes it.
     */
    Entry get(Key k, long now, long softNanos, long hardNanos) {
        lock.lock();
        try {
            Entry e = map.get(k);
            if (e == null) {
                return null;
            }
            long age = now - e.storedAt;
            if (hardNanos > 0 && age > hardNanos) {
                remove(k, e);
                return null;
            }
            if (softNanos > 0 && age > softNanos && !e.refreshing) {
                e.refreshing = true;
                return null;
            }
            return e;
        } finally {
            lock.unlock();
        }
    }

    /** Stores unless an invalidation happened since {@code sentGeneration}; returns whether it did. */
    boolean put(Key k, Entry e, long sentGeneration) {
        if (maxSize > 0 && e.reply.length > maxSize) {
            return false;
        }
        lock.lock();
        try {
            if (generation.get() != sentGeneration) {
                return false;
            }
            Entry old = map.put(k, e);
            if (old != null) {
                size -= old.reply.length;
            }
            size += e.reply.length;
            Iterator<Map.Entry<Key, Entry>> it = map.entrySet().iterator();
            while ((maxCount > 0 && map.size() > maxCount || maxSize > 0 && size > maxSize) && it.hasNext()) {
                Map.Entry<Key, Entry> oldest = it.next();
                if (oldest.getValue() == e) {
                    continue;
                }
                size -= oldest.getValue().reply.length;
                it.remove();
                evictions.incrementAndGet();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Drops every entry that may read one of {@code tables} (lower case); null drops everything. */
    void invalidate(Set<String> tables) {
        lock.lock();
        try {
            generation.incrementAndGet();
            for (Iterator<Map.Entry<Key, Entry>> it = map.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Key, Entry> me = it.next();
                if (tables == null || intersects(me.getValue().words, tables)) {
                    size -= me.getValue().reply.length;
                    it.remove();
                    invalidated.incrementAndGet();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private static boolean intersects(Set<String> words, Set<String> tables) {
        for (String t : tables) {
            if (words.contains(t)) {
                return true;
            }
        }
        return false;
    }

    private void remove(Key k, Entry e) {
        map.remove(k);
        size -= e.reply.length;
    }

    int count() {
        lock.lock();
        try {
            return map.size();
        } finally {
            lock.unlock();
        }
    }

    long bytes() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }
}
