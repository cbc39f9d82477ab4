package io.loomscale.session;

import io.loomscale.monitor.Server;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * What routers and filters may ask of the client session they serve. Calls come from the
 * session's virtual thread.
 */
public interface SessionContext {
    /** The proxy's id of this session (the connection id the client sees). */
    long id();

    String user();

    SocketAddress clientAddress();

    /** The database chosen at connect time, or null. */
    String database();

    String serviceName();

    /** Opens a backend connection to {@code server} logged in as this session's user. */
    BackendConnection connect(Server server) throws IOException;

    /** Sends a packet the proxy made itself (OK, ERR) to the client, after replies still streaming. */
    void sendToClient(byte[] packet) throws IOException;
}
