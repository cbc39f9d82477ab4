package io.loomscale.monitor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@link MariaDbMonitor} reports servers: MaxScale-like event names and INFO lines for state
 * changes, and each server's diagnostics. Stateless; called on the monitor thread (and by
 * {@link MariaDbMonitor#setMaintenance} on the caller's).
 */
final class StateChanges {
    /** Logged under the monitor's name: these lines are the monitor's output. */
    private static final Logger log = LoggerFactory.getLogger(MariaDbMonitor.class);

    private StateChanges() {
    }

    /** Logs a change of flags at INFO (nothing when only lag or details changed). */
    static void log(Server s, ServerState old, ServerState now) {
        if (old.flags() == now.flags()) {
            return;
        }
        log.info("Server changed state: {} ({}:{}): {}. [{}] -> [{}]", s.name(), s.address(), s.port(),
                event(old.flags(), now.flags()), old.describe(), now.describe());
    }

    /** MaxScale-like event name for a change of flags. */
    static String event(int before, int after) {
        boolean wasMaint = (before & ServerState.MAINTENANCE) != 0;
        boolean isMaint = (after & ServerState.MAINTENANCE) != 0;
        if (wasMaint != isMaint) {
            return isMaint ? "maintenance_on" : "maintenance_off";
        }
        boolean wasUp = (before & ServerState.RUNNING) != 0;
        boolean isUp = (after & ServerState.RUNNING) != 0;
        if (wasUp && !isUp) {
            return role(before) + "_down";
        }
        if (!wasUp && isUp) {
            return role(after) + "_up";
        }
        String was = role(before);
        String is = role(after);
        if (!is.equals("server")) {
            return "new_" + is;
        }
        return "lost_" + was;
    }

    private static String role(int flags) {
        if ((flags & ServerState.MASTER) != 0) {
            return "master";
        }
        if ((flags & ServerState.SLAVE) != 0) {
            return "slave";
        }
        return "server";
    }

    /** One server's part of {@link MariaDbMonitor#diagnostics()}. */
    static Map<String, Object> diagnostics(Server s, ServerProbe.Result r, ServerProbe probe) {
        ServerState st = s.state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("address", s.address());
        m.put("port", s.port());
        m.put("status", st.describe());
        m.put("server_id", st.serverId());
        m.put("read_only", st.readOnly());
        m.put("gtid_current_pos", st.gtidCurrentPos());
        m.put("replication_lag", st.lagSeconds());
        m.put("version", st.version());
        m.put("last_error", r == null ? st.lastError() : r.error());
        m.put("connected", probe.isConnected());
        List<Map<String, Object>> slaves = new ArrayList<>();
        if (r != null && r.probe() != null) {
            for (Probe.SlaveStatus ss : r.probe().slaves()) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("connection_name", ss.connectionName());
                c.put("master", ss.masterHost() + ":" + ss.masterPort());
                c.put("master_server_id", ss.masterServerId());
                c.put("slave_io_running", ss.ioRunning());
                c.put("slave_sql_running", ss.sqlRunning());
                c.put("seconds_behind_master", ss.secondsBehindMaster());
                c.put("using_gtid", ss.usingGtid());
                c.put("gtid_io_pos", ss.gtidIoPos());
                c.put("last_error", ss.lastError());
                slaves.add(c);
            }
        }
        m.put("slave_connections", slaves);
        return m;
    }
}
