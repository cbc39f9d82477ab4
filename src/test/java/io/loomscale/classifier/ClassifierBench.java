package io.loomscale.classifier;

import java.util.List;

/**
 * A micro benchmark (not a test): average cost of {@link Classifier#classify} per statement over
 * sysbench's statements and a few tricky ones. Run after {@code mvn test-compile}:
 * {@code java -cp target/classes:target/test-classes io.loomscale.classifier.ClassifierBench}
 */
public final class ClassifierBench {
    private ClassifierBench() {
    }

    public static void main(String[] args) {
        List<String> sqls = List.of(
                "SELECT c FROM sbtest1 WHERE id=5013",
                "SELECT c FROM sbtest3 WHERE id BETWEEN 4127 AND 4226 ORDER BY c",
                "SELECT DISTINCT c FROM sbtest2 WHERE id BETWEEN 100 AND 199 ORDER BY c",
                "UPDATE sbtest1 SET k=k+1 WHERE id=5013",
                "INSERT INTO sbtest1 (id, k, c, pad) VALUES (5013, 4991, '83868641912-28773972837-60736120486', '67847967377')",
                "SET autocommit=0", "COMMIT", "BEGIN",
                "/* app:orders */ SELECT * FROM orders WHERE id = 42 FOR UPDATE",
                "SELECT @@session.tx_isolation, LAST_INSERT_ID()");
        long sink = 0;
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        for (int r = 0; r < rounds; r++) {
            int n = 2_000_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += Classifier.classify(sqls.get(i % sqls.size()));
            }
            long t1 = System.nanoTime();
            System.out.printf("round %d: %.1f ns per statement%n", r + 1, (t1 - t0) / (double) n);
        }
        System.out.println("(checksum " + sink + ")");
    }
}
