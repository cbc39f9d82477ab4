package io.loomscale.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * sysbench {@code oltp_read_write}'s transaction, through Connector/J with server-side prepared
 * statements, by {@code writers} threads, plus {@code readers} threads of autocommit point
 * reads; for the failover tests. Unlike sysbench, it knows exactly which transactions the client
 * was told were committed: each writes a row {@code (thread, seq)} to {@code test.ledger}, and
 * the pair is remembered only once COMMIT returned OK. Every error is counted by its code;
 * after an error the writer rolls back (reconnecting if the connection was closed) and goes on.
 * Each writer uses its own range of rows, so writers never deadlock each other. Even writers use
 * {@code setAutoCommit(false)} (transactions begun implicitly), odd ones text {@code BEGIN} and
 * {@code COMMIT} with autocommit on.
 */
final class OltpLoad implements AutoCloseable {
    static final int ROWS_PER_WRITER = 50;

    private final int port;
    private final int writers;
    private final int readers;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    /** Committed (thread, seq) pairs, as "t:s". */
    final Set<String> committed = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<Long> commitTimes = new ConcurrentLinkedQueue<>();
    final Map<String, AtomicLong> writeErrors = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> readErrors = new ConcurrentHashMap<>();
    final AtomicLong reads = new AtomicLong();

    OltpLoad(int port, int writers, int readers) {
        this.port = port;
        this.writers = writers;
        this.readers = readers;
    }

    /** Creates the tables on the primary {@code primary} (a direct connection). */
    static void prepare(Connection primary, int writers) throws SQLException {
        try (Statement st = primary.createStatement()) {
            st.execute("DROP TABLE IF EXISTS test.sbtest1, test.ledger");
            st.execute("CREATE TABLE test.sbtest1 (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, "
                    + "pad CHAR(60) NOT NULL, KEY (k)) ENGINE=InnoDB");
            st.execute("CREATE TABLE test.ledger (thread INT, seq INT, PRIMARY KEY (thread, seq)) ENGINE=InnoDB");
            StringBuilder sb = new StringBuilder("INSERT INTO test.sbtest1 VALUES ");
            int n = writers * ROWS_PER_WRITER;
            for (int i = 0; i < n; i++) {
                sb.append(i == 0 ? "" : ",").append("(").append(i).append(",").append(i).append(",'c").append(i)
                        .append("','p')");
            }
            st.execute(sb.toString());
        }
    }

    void start() {
        for (int t = 0; t < writers; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().name("oltp-writer-" + t).start(() -> writer(id)));
        }
        for (int t = 0; t < readers; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().name("oltp-reader-" + t).start(() -> reader(id)));
        }
    }

    private Connection connect() throws SQLException {
        return Db.app(port, "useServerPrepStmts=true", "connectTimeout=5000", "socketTimeout=30000");
    }

    private void writer(int t) {
        int seq = 0;
        java.util.Random rnd = new java.util.Random(t);
        Connection c = null;
        boolean explicit = t % 2 == 1;
        while (!stop.get()) {
            try {
                if (c == null || c.isClosed()) {
                    c = connect();
                    c.setAutoCommit(explicit);
                }
                int base = t * ROWS_PER_WRITER;
                seq++;
                if (explicit) {
                    try (Statement b = c.createStatement()) {
                        b.execute("BEGIN");
                    }
                }
                try (PreparedStatement sel = c.prepareStatement("SELECT c FROM test.sbtest1 WHERE id=?");
                        PreparedStatement upd = c.prepareStatement("UPDATE test.sbtest1 SET k=k+1 WHERE id=?");
                        PreparedStatement del = c.prepareStatement("DELETE FROM test.sbtest1 WHERE id=?");
                        PreparedStatement ins = c.prepareStatement("INSERT INTO test.sbtest1 (id, k, c, pad) VALUES (?,?,?,?)");
                        PreparedStatement led = c.prepareStatement("INSERT INTO test.ledger (thread, seq) VALUES (?,?)")) {
                    for (int i = 0; i < 4; i++) {
                        sel.setInt(1, base + rnd.nextInt(ROWS_PER_WRITER));
                        try (ResultSet rs = sel.executeQuery()) {
                            while (rs.next()) {
                                rs.getString(1);
                            }
                        }
                    }
                    upd.setInt(1, base + rnd.nextInt(ROWS_PER_WRITER));
                    upd.executeUpdate();
                    int id = base + rnd.nextInt(ROWS_PER_WRITER);
                    del.setInt(1, id);
                    del.executeUpdate();
                    ins.setInt(1, id);
                    ins.setInt(2, seq);
                    ins.setString(3, "c" + seq);
                    ins.setString(4, "p");
                    ins.executeUpdate();
                    led.setInt(1, t);
                    led.setInt(2, seq);
                    led.executeUpdate();
                }
                if (explicit) {
                    try (Statement b = c.createStatement()) {
                        b.execute("COMMIT");
                    }
                } else {
                    c.commit();
                }
                committed.add(t + ":" + seq);
                commitTimes.add(System.nanoTime());
            } catch (SQLException e) {
                count(writeErrors, e);
                try {
                    if (c != null && !c.isClosed()) {
                        if (explicit) {
                            try (Statement b = c.createStatement()) {
                                b.execute("ROLLBACK");
                            }
                        } else {
                            c.rollback();
                        }
                    }
                } catch (SQLException ignored) {
                    closeQuietly(c);
                    c = null;
                }
                pause();
            }
        }
        closeQuietly(c);
    }

    private void reader(int t) {
        java.util.Random rnd = new java.util.Random(1000 + t);
        Connection c = null;
        while (!stop.get()) {
            try {
                if (c == null || c.isClosed()) {
                    c = connect();
                }
                try (PreparedStatement sel = c.prepareStatement("SELECT c FROM test.sbtest1 WHERE id=?")) {
                    sel.setInt(1, rnd.nextInt(writers * ROWS_PER_WRITER));
                    try (ResultSet rs = sel.executeQuery()) {
                        while (rs.next()) {
                            rs.getString(1);
                        }
                    }
                }
                reads.incrementAndGet();
            } catch (SQLException e) {
                count(readErrors, e);
                closeQuietly(c);
                c = null;
                pause();
            }
        }
        closeQuietly(c);
    }

    private static void count(Map<String, AtomicLong> m, SQLException e) {
        String key = e.getErrorCode() + " " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        if (key.length() > 160) {
            key = key.substring(0, 160);
        }
        m.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }

    static long total(Map<String, AtomicLong> m) {
        return m.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** The longest time without a commit between {@code fromNanos} and {@code toNanos}, in ms. */
    long longestGapMillis(long fromNanos, long toNanos) {
        List<Long> times = new ArrayList<>(commitTimes);
        times.add(fromNanos);
        times.add(toNanos);
        Collections.sort(times);
        long gap = 0;
        for (int i = 1; i < times.size(); i++) {
            if (times.get(i) < fromNanos || times.get(i - 1) > toNanos) {
                continue;
            }
            gap = Math.max(gap, times.get(i) - times.get(i - 1));
        }
        return gap / 1_000_000;
    }

    /** The committed pairs missing from {@code db}'s ledger. */
    Set<String> lost(Connection db) throws SQLException {
        Set<String> present = new HashSet<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT thread, seq FROM test.ledger")) {
            while (rs.next()) {
                present.add(rs.getInt(1) + ":" + rs.getInt(2));
            }
        }
        Set<String> lost = new HashSet<>(committed);
        lost.removeAll(present);
        return lost;
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(60_000);
        }
    }
}
