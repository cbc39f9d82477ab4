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
    static final String VARIABLES_SQL = "SELECT @@server_id, @@read_only, @@gtid_current_pos, @@version";
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

    ServerProbe(Server server, String user, String password, Duration connectTimeout, Duration readTimeout) {
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
        SqlConnection c = SqlConnection.open(server.address(), server.port(), user, password, connectTimeout);
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
        return new Result(new Probe(serverId, readOnly, gtid, version, slaves, known), warning);
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

    /** Closes the kept connection (any thread); the next probe reconnects. */
    void close() {
        SqlConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
    }

    boolean isConnected() {
        SqlConnection c = connection;
        return c != null && !c.isClosed();
    }
}
