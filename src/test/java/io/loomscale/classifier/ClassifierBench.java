package io.loomscale.classifier;

import io.loomscale.hint.HintSession;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A micro benchmark (not a test): the median cost per statement of {@link Classifier#classify} once
 * warm, over sysbench's oltp statements, over the whole corpus, and for slow-path cache hits; plus
 * the bytes allocated per call and a check that sysbench never reaches the slow path. Each sample
 * is the mean of a batch of calls on one statement; the median is over all samples. Run:
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) io.loomscale.classifier.ClassifierBench [rounds]
 * </pre>
 */
public final class ClassifierBench {
    private static final String C = "'83868641912-28773972837-60736120486-75162659906-27563526494-20381887404-"
            + "41576422241-93426793964-56405065102-33518432330'";
    private static final String PAD = "'67847967377-48000963322-62604785301-91415491898-96926520291'";

    /** sysbench's oltp_read_write statements (oltp_common.lua), as sent with --db-ps-mode=disable. */
    static final List<String> SYSBENCH = List.of(
            "SELECT c FROM sbtest1 WHERE id=5013",
            "SELECT c FROM sbtest3 WHERE id BETWEEN 4127 AND 4226",
            "SELECT SUM(k) FROM sbtest2 WHERE id BETWEEN 3019 AND 3118",
            "SELECT c FROM sbtest4 WHERE id BETWEEN 4127 AND 4226 ORDER BY c",
            "SELECT DISTINCT c FROM sbtest2 WHERE id BETWEEN 100 AND 199 ORDER BY c",
            "UPDATE sbtest1 SET k=k+1 WHERE id=5013",
            "UPDATE sbtest3 SET c=" + C + " WHERE id=4998",
            "DELETE FROM sbtest1 WHERE id=5013",
            "INSERT INTO sbtest1 (id, k, c, pad) VALUES (5013, 4991, " + C + ", " + PAD + ")",
            "BEGIN",
            "COMMIT");

    private static final List<String> SLOW_PATH = List.of(
            "WITH recent AS (SELECT id FROM orders WHERE created > '2024-01-01') SELECT COUNT(*) FROM recent",
            "WITH RECURSIVE r AS (SELECT 1 AS n UNION SELECT n+1 FROM r WHERE n < 5) SELECT * FROM r",
            "WITH c AS (SELECT id FROM t2 WHERE a = 7) UPDATE t SET a = 1 WHERE id IN (SELECT id FROM c)");

    private static long sink;

    private ClassifierBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<String> corpus = new ArrayList<>();
        for (Corpus c : Corpus.load()) {
            corpus.add(c.sql());
        }
        warm(SYSBENCH, 300_000);
        warm(corpus, 20_000);
        warm(SLOW_PATH, 100_000);

        Classifier.SlowPathStats before = Classifier.slowPathStats();
        report("classify, sysbench (" + SYSBENCH.size() + " statements)", SYSBENCH, rounds);
        Classifier.SlowPathStats after = Classifier.slowPathStats();
        System.out.printf("  slow-path lookups during the sysbench runs: %d%n",
                after.hits() + after.misses() - before.hits() - before.misses());
        report("classify, whole corpus (" + corpus.size() + " statements)", corpus, rounds);
        report("classify, slow-path cache hits (WITH ...)", SLOW_PATH, rounds);

        int parses = 200;
        long t0 = System.nanoTime();
        for (int i = 0; i < parses; i++) { // distinct digests: each one a jsqlparser parse
            sink += Classifier.classify("WITH c AS (SELECT id FROM orders_" + i + " WHERE a > 5) SELECT COUNT(*) FROM c");
        }
        System.out.printf("classify, slow-path misses (a parse each, %d distinct): mean %.0f us%n", parses,
                (System.nanoTime() - t0) / 1000.0 / parses);

        Set<String> temps = Set.of("tmp_orders", "session_scratch");
        System.out.printf("referencesAny, sysbench, 2 names: median %.0f ns, %.1f bytes/call%n",
                median(samples(SYSBENCH, rounds, sql -> Classifier.referencesAny(sql, temps) ? 1 : 0)),
                allocated(SYSBENCH, sql -> Classifier.referencesAny(sql, temps) ? 1 : 0));
        HintSession hints = new HintSession();
        System.out.printf("HintSession.process, sysbench (no hints): median %.0f ns, %.1f bytes/call%n",
                median(samples(SYSBENCH, rounds, sql -> hints.process(sql).size())),
                allocated(SYSBENCH, sql -> hints.process(sql).size()));
        System.out.println("slow path: " + Classifier.slowPathStats() + " (checksum " + sink + ")");
    }

    private interface Op {
        int apply(String sql);
    }

    private static void warm(List<String> sqls, int calls) {
        for (int i = 0; i < calls; i++) {
            sink += Classifier.classify(sqls.get(i % sqls.size()));
        }
    }

    private static void report(String what, List<String> sqls, int rounds) {
        double[] s = samples(sqls, rounds, Classifier::classify);
        Arrays.sort(s);
        System.out.printf("%s: median %.0f ns, p90 %.0f ns, max %.0f ns per statement; %.1f bytes/call%n", what,
                median(s), s[(int) (s.length * 0.9)], s[s.length - 1], allocated(sqls, Classifier::classify));
    }

    /** One sample per statement and round: the mean ns of a batch of calls on that statement. */
    private static double[] samples(List<String> sqls, int rounds, Op op) {
        int batch = 200;
        double[] out = new double[sqls.size() * rounds];
        int k = 0;
        for (int r = 0; r < rounds; r++) {
            for (String sql : sqls) {
                long t0 = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    sink += op.apply(sql);
                }
                out[k++] = (System.nanoTime() - t0) / (double) batch;
            }
        }
        return out;
    }

    private static double median(double[] s) {
        double[] c = s.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static double allocated(List<String> sqls, Op op) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int calls = 100_000;
        long id = Thread.currentThread().threadId();
        long b0 = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < calls; i++) {
            sink += op.apply(sqls.get(i % sqls.size()));
        }
        return (mx.getThreadAllocatedBytes(id) - b0) / (double) calls;
    }
}
