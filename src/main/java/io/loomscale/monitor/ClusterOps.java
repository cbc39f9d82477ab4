package io.loomscale.monitor;

import io.loomscale.protocol.Gtid;
import io.loomscale.protocol.client.SqlConnection;
import io.loomscale.protocol.client.SqlException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The SQL steps of failover, switchover and rejoin, each logged as it runs (MaxScale logs every
 * step too, and an operator reading the log after a failover must see exactly what was done).
 * Statements run on a connection the caller opened to the server in question; a failed step
 * throws {@link SqlException} or {@link IOException} with the server's own error, and the caller
 * decides what is left to undo. Monitor thread only.
 */
final class ClusterOps {
    private static final Logger log = LoggerFactory.getLogger(ClusterOps.class);

    private final String monitor;
    private final String replUser;
    private final String replPassword;

    ClusterOps(String monitor, String replUser, String replPassword) {
        this.monitor = monitor;
        this.replUser = replUser;
        this.replPassword = replPassword;
    }

    private void step(Server s, SqlConnection c, String sql) throws IOException {
        log.info("Monitor {}: {}: {}", monitor, s.name(), sql.contains("MASTER_PASSWORD")
                ? sql.replaceAll("MASTER_PASSWORD='(?:[^'\\\\]|\\\\.)*'", "MASTER_PASSWORD='***'") : sql);
        c.execute(sql);
    }

    /**
     * Waits until {@code s} applied {@code received} (its relay log), at most until
     * {@code deadlineNanos} ({@link System#nanoTime()}).
     *
     * @throws IOException when it does not get there in time
     */
    void awaitApplied(Server s, SqlConnection c, Gtid received, long deadlineNanos) throws IOException {
        if (received.isEmpty()) {
            return;
        }
        long left = deadlineNanos - System.nanoTime();
        double seconds = Math.max(0.1, left / 1e9);
        log.info("Monitor {}: {}: waiting up to {} s to apply its relay log up to {}", monitor, s.name(),
                String.format(java.util.Locale.ROOT, "%.1f", seconds), received);
        c.setTimeout(java.time.Duration.ofNanos(Math.max(left, 0) + TimeUnit.SECONDS.toNanos(2)));
        SqlConnection.Result r = c.query("SELECT MASTER_GTID_WAIT('" + received + "', "
                + String.format(java.util.Locale.ROOT, "%.3f", seconds) + ")");
        String v = r.rows().isEmpty() ? null : r.rows().get(0)[0];
        if (!"0".equals(v)) {
            throw new IOException(s.name() + " did not apply its relay log up to " + received + " in time");
        }
    }

    /** Makes {@code s} a primary: no replication connections left, writable. */
    void promote(Server s, SqlConnection c, List<Probe.SlaveStatus> links) throws IOException {
        step(s, c, "STOP ALL SLAVES");
        if (links.isEmpty()) {
            step(s, c, "RESET SLAVE ALL");
        }
        for (Probe.SlaveStatus l : links) {
            step(s, c, "RESET SLAVE " + quote(l.connectionName()) + " ALL");
        }
        step(s, c, "SET GLOBAL read_only=0");
    }

    /** Makes {@code s} read-only (the first step of a switchover, and what enforce_read_only_slaves does). */
    void readOnly(Server s, SqlConnection c) throws IOException {
        step(s, c, "SET GLOBAL read_only=1");
    }

    /**
     * Points {@code s} at {@code primary}: stops its replication, replaces its connections to
     * {@code oldLinks}' sources with one default connection to the new primary using GTID
     * ({@code MASTER_USE_GTID=current_pos}), and starts it.
     */
    void replicateFrom(Server s, SqlConnection c, Server primary, List<Probe.SlaveStatus> oldLinks) throws IOException {
        step(s, c, "STOP ALL SLAVES");
        for (Probe.SlaveStatus l : oldLinks) {
            if (!l.connectionName().isEmpty()) {
                step(s, c, "RESET SLAVE " + quote(l.connectionName()) + " ALL");
            }
        }
        step(s, c, "CHANGE MASTER TO MASTER_HOST=" + quote(primary.address()) + ", MASTER_PORT=" + primary.port()
                + ", MASTER_USER=" + quote(replUser) + ", MASTER_PASSWORD=" + quote(replPassword)
                + ", MASTER_USE_GTID=current_pos, MASTER_CONNECT_RETRY=1");
        step(s, c, "START SLAVE");
    }

    /** What the open transactions are (connection, user, state, statement), for the log. */
    String describeTransactions(SqlConnection c) throws IOException {
        SqlConnection.Result r = c.query("SELECT t.trx_mysql_thread_id, p.user, p.host, p.command, p.time, t.trx_state, "
                + "LEFT(p.info, 60) FROM information_schema.innodb_trx t JOIN information_schema.processlist p "
                + "ON p.id = t.trx_mysql_thread_id");
        StringBuilder sb = new StringBuilder();
        for (String[] row : r.rows()) {
            sb.append(sb.isEmpty() ? "" : "; ").append(String.join(" ", java.util.Arrays.stream(row)
                    .map(String::valueOf).toList()));
        }
        return sb.toString();
    }

    /**
     * The ids of connections with an open InnoDB transaction, except {@code self}. Only
     * connections still in the process list count: a transaction whose connection has already
     * gone (the proxy closed it) is being rolled back by the server and needs no waiting for.
     */
    List<Long> openTransactions(SqlConnection c) throws IOException {
        SqlConnection.Result r = c.query("SELECT trx_mysql_thread_id FROM information_schema.innodb_trx "
                + "WHERE trx_mysql_thread_id IN (SELECT id FROM information_schema.processlist)");
        List<Long> ids = new java.util.ArrayList<>();
        for (String[] row : r.rows()) {
            try {
                long id = Long.parseLong(row[0]);
                if (id != c.threadId()) {
                    ids.add(id);
                }
            } catch (NumberFormatException | NullPointerException ignored) {
                // not a connection id
            }
        }
        return ids;
    }

    /** Ends connections (their transactions roll back): the last step of demoting a primary. */
    void kill(Server s, SqlConnection c, List<Long> ids) {
        for (long id : ids) {
            try {
                step(s, c, "KILL CONNECTION " + id);
            } catch (IOException | SqlException e) {
                log.info("Monitor {}: {}: KILL CONNECTION {}: {}", monitor, s.name(), id, e.getMessage());
            }
        }
    }

    static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
