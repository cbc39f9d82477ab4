package io.loomscale.router.readwritesplit;

import io.loomscale.protocol.Gtid;
import io.loomscale.monitor.Server;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.session.BackendConnection;

import java.util.HashMap;
import java.util.Map;

/** One backend connection of a readwritesplit session, with what the session keeps about it. */
final class RwsBackend {
    final BackendConnection conn;
    final Server server;
    /** Client statement id to this backend's statement id. */
    final Map<Integer, Integer> statementIds = new HashMap<>();
    /** Last time a command was sent (connection_keepalive). */
    long lastUsed = System.nanoTime();
    /** A GTID position this backend is known to have applied (causal reads), or null. */
    Gtid reached;

    /** The router's counters for this server, looked up once rather than per statement. */
    final ReadWriteSplit.Counters counters;

    RwsBackend(BackendConnection conn, ReadWriteSplit.Counters counters) {
        this.conn = conn;
        this.server = conn.server();
        this.counters = counters;
    }

    ReplyTracker tracker() {
        return conn.endpoint().tracker();
    }

    boolean isClosed() {
        return conn.isClosed();
    }

    @Override
    public String toString() {
        return conn.toString();
    }
}
