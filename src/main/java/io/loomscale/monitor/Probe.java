package io.loomscale.monitor;

import java.util.List;

/**
 * What one probe of a running server returned: its identity and read-only flag, and each of its
 * replication connections ({@code SHOW ALL SLAVES STATUS}). Immutable; built on the probing
 * thread, then read by the monitor thread.
 *
 * @param serverId          {@code @@server_id}
 * @param readOnly          {@code @@read_only}
 * @param gtidCurrentPos    {@code @@gtid_current_pos}
 * @param version           {@code @@version}
 * @param slaves            the replication connections; empty on a server that replicates from nothing
 * @param replicationKnown  false when the replication status could not be read (no privilege):
 *                          the server then gets no role
 * @param gtidBinlogPos     {@code @@gtid_binlog_pos}: what the server wrote to its binary log
 * @param logBin            {@code @@log_bin}: whether it writes one (a server without cannot be promoted)
 * @param gtidBinlogState   {@code @@gtid_binlog_state}: the last GTID of each domain and server in its binary log
 */
record Probe(long serverId, boolean readOnly, String gtidCurrentPos, String version, List<SlaveStatus> slaves,
        boolean replicationKnown, String gtidBinlogPos, boolean logBin, String gtidBinlogState) {

    Probe {
        slaves = List.copyOf(slaves);
    }

    /** For tests and callers that do not care about the binary log: log_bin on, its position the current one. */
    Probe(long serverId, boolean readOnly, String gtidCurrentPos, String version, List<SlaveStatus> slaves,
            boolean replicationKnown) {
        this(serverId, readOnly, gtidCurrentPos, version, slaves, replicationKnown, gtidCurrentPos, true, gtidCurrentPos);
    }

    /**
     * One row of {@code SHOW ALL SLAVES STATUS}.
     *
     * @param connectionName      the multi-source connection name ("" for the default one)
     * @param masterHost          Master_Host as configured by CHANGE MASTER
     * @param masterPort          Master_Port
     * @param ioRunning           Slave_IO_Running: "Yes", "No" or "Connecting"
     * @param sqlRunning          Slave_SQL_Running: "Yes" or "No"
     * @param secondsBehindMaster Seconds_Behind_Master, -1 when NULL
     * @param masterServerId      Master_Server_Id, 0 when the IO thread never connected
     * @param gtidIoPos           Gtid_IO_Pos
     * @param usingGtid           Using_Gtid: "No", "Slave_Pos" or "Current_Pos"
     * @param lastError           Last_IO_Error, else Last_SQL_Error, else ""
     */
    record SlaveStatus(String connectionName, String masterHost, int masterPort, String ioRunning,
            String sqlRunning, long secondsBehindMaster, long masterServerId, String gtidIoPos, String usingGtid,
            String lastError) {

        boolean ioYes() {
            return "Yes".equalsIgnoreCase(ioRunning);
        }

        boolean sqlYes() {
            return "Yes".equalsIgnoreCase(sqlRunning);
        }

        /** The IO thread is connected or trying to: the server means to replicate. */
        boolean ioActive() {
            return !"No".equalsIgnoreCase(ioRunning);
        }
    }
}
