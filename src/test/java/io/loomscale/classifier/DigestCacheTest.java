package io.loomscale.classifier;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DigestCacheTest {

    private static void put(DigestCache<String> cache, String sql, String value) {
        cache.put(sql, Digest.hash(sql), value);
    }

    @Test
    void aStatementWithOtherLiteralsHitsTheEntry() {
        DigestCache<String> cache = new DigestCache<>(64, 1000);
        put(cache, "SELECT c FROM t WHERE id = 1", "v");
        assertEquals("v", cache.get("SELECT c FROM t WHERE id = 42"));
        assertEquals("v", cache.get("SELECT c  FROM t WHERE id = 'x' -- again"));
        assertNull(cache.get("SELECT c FROM t WHERE id > 1"));
        DigestCache.Stats s = cache.stats();
        assertEquals(2, s.hits());
        assertEquals(1, s.misses());
        assertEquals(1, s.size());
        assertEquals(64, s.capacity());
    }

    @Test
    void anEqualHashWithAnotherDigestIsAMiss() {
        DigestCache<String> cache = new DigestCache<>(8, 1000);
        cache.put("SELECT a FROM t", 7L, "a");
        assertNull(cache.get("SELECT b FROM t", 7L), "a hash collision must not return another statement's value");
        assertEquals("a", cache.get("SELECT a FROM t", 7L));
    }

    @Test
    void aFullSetEvictsTheOlderEntry() {
        DigestCache<String> cache = new DigestCache<>(2, 1000); // one set of two
        put(cache, "SELECT 1 FROM a", "a");
        put(cache, "SELECT 1 FROM b", "b");
        put(cache, "SELECT 1 FROM c", "c");
        assertNull(cache.get("SELECT 1 FROM a"));
        assertEquals("b", cache.get("SELECT 1 FROM b"));
        assertEquals("c", cache.get("SELECT 1 FROM c"));
        assertEquals(1, cache.stats().evictions());
        assertEquals(2, cache.stats().size());
    }

    @Test
    void reinsertingADigestReplacesItsValueWithoutEvicting() {
        DigestCache<String> cache = new DigestCache<>(2, 1000);
        put(cache, "SELECT 1 FROM a", "a");
        put(cache, "SELECT 1 FROM b", "b");
        put(cache, "SELECT 2 FROM b", "b2");
        assertEquals("b2", cache.get("SELECT 3 FROM b"));
        assertEquals("a", cache.get("SELECT 3 FROM a"));
        assertEquals(0, cache.stats().evictions());
    }

    @Test
    void longDigestsAreNotCached() {
        DigestCache<String> cache = new DigestCache<>(8, 20);
        put(cache, "SELECT a, b, c, d, e, f FROM t", "long");
        assertNull(cache.get("SELECT a, b, c, d, e, f FROM t"));
        assertEquals(0, cache.stats().size());
    }

    @Test
    void theSizeNeverExceedsTheBound() {
        DigestCache<String> cache = new DigestCache<>(100, 1000); // 64 slots
        for (int i = 0; i < 1000; i++) {
            put(cache, "SELECT c FROM t" + i, "v" + i);
        }
        assertEquals(64, cache.stats().capacity());
        assertEquals(64, cache.stats().size());
    }

    @Test
    void tooSmallIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DigestCache<String>(1, 10));
    }

    @Test
    void concurrentUseNeverReturnsAnotherStatementsValue() throws Exception {
        DigestCache<String> cache = new DigestCache<>(16, 1000); // small: many collisions and evictions
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int i = 0; i < 50_000; i++) {
                        int table = r.nextInt(200);
                        String sql = "SELECT c FROM t" + table + " WHERE id = " + r.nextInt(1000);
                        String v = cache.get(sql);
                        if (v == null) {
                            put(cache, sql, "t" + table);
                        } else {
                            assertEquals("t" + table, v, sql);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        DigestCache.Stats s = cache.stats();
        assertEquals(200_000, s.hits() + s.misses());
    }
}
