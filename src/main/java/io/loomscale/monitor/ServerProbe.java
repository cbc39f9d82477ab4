package io.loomscale.monitor;

import io.loomscale.protocol.ProtocolException;
import io.loomscale.protocol.client.SqlConnection;
import io.loomscale.protocol.client.SqlException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The monitor's connection to one server and the queries of one probe. One probe runs at a time
 * (the monitor waits for each tick's probes), on a probe virtual thread; {@link #close()} may be
 * called from the monitor thread to abort a probe that overran, which makes its blocked read fail.
 * The connection is kept between ticks and reopened when it breaks.
 */
final class ServerProbe {
    static final String VARIABLES_SQL =
            "SELECT @@server_id, @@read_only, @@gtid_current_pos, @@version, @@gtid_binlog_pos, @@log_bin, "
            + "@@gtid_binlog_state";
    static final String SLAVES_SQL = "SHOW ALL SLAVES STATUS";

    /**
     * The outcome of one probe: a {@link Probe} (with a warning when part of it failed), or no
     * probe and why the server is down.
     */
    record Result(Probe probe, String error) {
        static Result down(String error) {
            return new Result(null, error);
        }
    }

    private final Server server;
    private final String user;
    private final String password;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private volatile SqlConnection connection;

    /** The cooperative-monitoring lock this probe claims on its server, or null (none). */
    private final String lockName;
    /** Whether the kept connection holds {@link #lockName}; false again as soon as it closes. */
    private volatile boolean lockHeld;
    /** Whether the monitor wants the lock now (false: release it, and do not claim it). */
    private volatile boolean lockWanted = true;

    ServerProbe(Server server, String user, String password, Duration connectTimeout, Duration readTimeout) {
        this(server, user, password, connectTimeout, readTimeout, null);
    }

    /** @param lockName the cooperative-monitoring lock to claim on each probe ({@code GET_LOCK}), or null */
    ServerProbe(Server server, String user, String password, Duration connectTimeout, Duration readTimeout,
            String lockName) {
        this.lockName = lockName;
        this.server = server;
        this.user = user;
        this.password = password;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    Server server() {
        return server;
    }

    /**
     * Probes the server. A kept connection can die while idle (server restart, KILL,
     * wait_timeout), so any failure on it is retried once on a fresh connection before the
     * server is called down.
     */
    Result probe() {
        SqlConnection c = connection;
        if (c != null && !c.isClosed()) {
            Result r = attempt(c);
            if (r.probe() != null) {
                return r;
            }
        }
        return attempt(null);
    }

    /**
     * One probe on {@code c}, or on a new connection when it is null. A failure closes the
     * connection and reports the server down: a refused login or query with the server's error
     * (wrong monitor user, too many connections...), anything else with what went wrong.
     */
    private Result attempt(SqlConnection c) {
        try {
            return query(c != null ? c : connect());
        } catch (SqlException e) {
            close();
            return Result.down(e.err().toString());
        } catch (IOException | ProtocolException e) {
            close();
            return Result.down(describe(e));
        }
    }

    private SqlConnection connect() throws IOException {
        SqlConnection c = SqlConnection.open(server.address(), server.port(), user, password, connectTimeout,
                io.loomscale.tls.TlsContext.forServer(server.config().tls()));
        c.setTimeout(readTimeout);
        connection = c;
        return c;
    }

    private Result query(SqlConnection c) throws IOException {
        SqlConnection.Result vars = c.query(VARIABLES_SQL);
        if (vars.rows().isEmpty()) {
            throw new ProtocolException("no row from " + VARIABLES_SQL);
        }
        String[] v = vars.rows().get(0);
        long serverId = parseLong(v[0], -1);
        boolean readOnly = "1".equals(v[1]) || "ON".equalsIgnoreCase(v[1]);
        String gtid = v[2] == null ? "" : v[2];
        String version = v[3] == null ? "" : v[3];
        String binlogPos = v.length > 4 && v[4] != null ? v[4] : "";
        boolean logBin = v.length > 5 && ("1".equals(v[5]) || "ON".equalsIgnoreCase(v[5]));
        String binlogState = v.length > 6 && v[6] != null ? v[6] : "";
        List<Probe.SlaveStatus> slaves = List.of();
        boolean known = true;
        String warning = "";
        try {
            slaves = slaves(c.query(SLAVES_SQL));
        } catch (SqlException e) {
            // No privilege for replication status: the server is up, its role is unknown.
            known = false;
            warning = SLAVES_SQL + " failed: " + e.err();
        }
        if (lockName != null) {
            warning = claimLock(c, warning);
        }
        return new Result(new Probe(serverId, readOnly, gtid, version, slaves, known, binlogPos, logBin, binlogState), warning);
    }

    /** Rows of SHOW ALL SLAVES STATUS, read by column name. */
    static List<Probe.SlaveStatus> slaves(SqlConnection.Result r) {
        int name = r.column("Connection_name");
        int host = r.column("Master_Host");
        int port = r.column("Master_Port");
        int io = r.column("Slave_IO_Running");
        int sql = r.column("Slave_SQL_Running");
        int behind = r.column("Seconds_Behind_Master");
        int masterId = r.column("Master_Server_Id");
        int gtidIo = r.column("Gtid_IO_Pos");
        int usingGtid = r.column("Using_Gtid");
        int ioError = r.column("Last_IO_Error");
        int sqlError = r.column("Last_SQL_Error");
        List<Probe.SlaveStatus> out = new ArrayList<>(r.rows().size());
        for (String[] row : r.rows()) {
            String err = get(row, ioError);
            if (err.isEmpty()) {
                err = get(row, sqlError);
            }
            out.add(new Probe.SlaveStatus(get(row, name), get(row, host), (int) parseLong(get(row, port), 0),
                    get(row, io), get(row, sql), parseLong(get(row, behind), -1), parseLong(get(row, masterId), 0),
                    get(row, gtidIo), get(row, usingGtid), err));
        }
        return out;
    }

    private static String get(String[] row, int i) {
        return i < 0 || row[i] == null ? "" : row[i];
    }

    private static long parseLong(String s, long dflt) {
        if (s == null || s.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /**
     * Claims or releases the cooperative-monitoring lock on the probe's connection, as the monitor
     * wants it. The lock lives as long as the connection: another LoomScale's monitor can take it
     * once this connection closes (the process died, the server restarted).
     */
    private String claimLock(SqlConnection c, String warning) throws IOException {
        try {
            if (!lockWanted) {
                if (lockHeld) {
                    c.query("SELECT RELEASE_LOCK('" + lockName + "')");
                    lockHeld = false;
                }
            } else if (!lockHeld) {
                SqlConnection.Result r = c.query("SELECT GET_LOCK('" + lockName + "', 0)");
                lockHeld = !r.rows().isEmpty() && "1".equals(r.rows().get(0)[0]);
            }
            return warning;
        } catch (SqlException e) {
            lockHeld = false;
            return warning.isEmpty() ? "cooperative lock: " + e.err() : warning;
        }
    }

    /** Whether this probe's connection holds the cooperative-monitoring lock now. */
    boolean holdsLock() {
        return lockHeld && isConnected();
    }

    /** Whether the next probes should claim (true) or release (false) the cooperative lock. */
    void wantLock(boolean want) {
        lockWanted = want;
    }

    /**
     * The kept connection for the monitor's own statements (failover, switchover, rejoin), opened
     * if needed; {@code timeout} bounds each statement. Monitor thread only, between probes.
     */
    SqlConnection admin(Duration timeout) throws IOException {
        SqlConnection c = connection;
        if (c == null || c.isClosed()) {
            c = connect();
        }
        c.setTimeout(timeout);
        return c;
    }

    /** Restores the probe timeout after {@link #admin}. */
    void endAdmin() {
        SqlConnection c = connection;
        if (c != null && !c.isClosed()) {
            try {
                c.setTimeout(readTimeout);
            } catch (IOException e) {
                close();
            }
        }
    }

    /** Closes the kept connection (any thread); the next probe reconnects. */
    void close() {
        SqlConnection c = connection;
        connection = null;
        lockHeld = false;
        if (c != null) {
            c.close();
        }
    }

    boolean isConnected() {
        SqlConnection c = connection;
        return c != null && !c.isClosed();
    }
}
