package io.loomscale.monitor;

/**
 * An immutable snapshot of what a monitor last saw of one server. Routers read it without locks
 * through {@link Server#state()}.
 *
 * @param flags          bit set of {@link #RUNNING}, {@link #MASTER}, {@link #SLAVE}, {@link #MAINTENANCE}, {@link #DRAIN}
 * @param lagSeconds     replication lag (Seconds_Behind_Master), -1 when unknown or not a replica
 * @param serverId       @@server_id, -1 when unknown
 * @param gtidCurrentPos @@gtid_current_pos, "" when unknown
 * @param readOnly       @@read_only
 * @param version        the server's version string, "" when never connected
 * @param lastError      why the server is down, "" when it is up
 */
public record ServerState(int flags, long lagSeconds, long serverId, String gtidCurrentPos, boolean readOnly,
        String version, String lastError) {

    public static final int RUNNING = 1;
    public static final int MASTER = 1 << 1;
    public static final int SLAVE = 1 << 2;
    public static final int MAINTENANCE = 1 << 3;
    public static final int DRAIN = 1 << 4;
    /** Set on servers no monitor watches: they are assumed running and have no role. */
    public static final int UNMONITORED = 1 << 5;

    /** The state of a server before its monitor's first tick: down, nothing known. */
    public static final ServerState UNKNOWN = new ServerState(0, -1, -1, "", false, "", "not yet monitored");
    public static final ServerState ASSUMED_RUNNING = new ServerState(RUNNING | UNMONITORED, -1, -1, "", false, "", "");

    public boolean isRunning() {
        return (flags & RUNNING) != 0;
    }

    public boolean isMaster() {
        return (flags & (RUNNING | MASTER)) == (RUNNING | MASTER);
    }

    public boolean isSlave() {
        return (flags & (RUNNING | SLAVE)) == (RUNNING | SLAVE);
    }

    public boolean inMaintenance() {
        return (flags & MAINTENANCE) != 0;
    }

    public boolean isDraining() {
        return (flags & DRAIN) != 0;
    }

    public ServerState withFlags(int newFlags) {
        return new ServerState(newFlags, lagSeconds, serverId, gtidCurrentPos, readOnly, version, lastError);
    }

    /** MaxScale-style status text, e.g. "Master, Running" or "Down". */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if ((flags & MAINTENANCE) != 0) {
            sb.append("Maintenance, ");
        }
        if ((flags & DRAIN) != 0) {
            sb.append("Draining, ");
        }
        if ((flags & MASTER) != 0) {
            sb.append("Master, ");
        }
        if ((flags & SLAVE) != 0) {
            sb.append("Slave, ");
        }
        sb.append(isRunning() ? "Running" : "Down");
        return sb.toString();
    }
}
