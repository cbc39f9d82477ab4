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

    /**
     * Opens a backend connection to {@code server} logged in as this session's user (or takes a
     * pooled one). Replies marked FORWARD on it reach this session's client.
     */
    BackendConnection connect(Server server) throws IOException;

    /** The capability flags agreed with the client (also what backend connections use). */
    long clientCapabilities();

    /**
     * Waits for the whole reply to a command sent to {@code backend} with
     * {@link io.loomscale.protocol.ReplyTracker#CAPTURE} and returns its packets, headers included.
     * Other events that arrive meanwhile are kept for the session.
     *
     * @throws IOException if the backend fails or does not answer within the backend timeout
     */
    java.util.List<byte[]> collectReply(BackendConnection backend) throws IOException;

    /**
     * Opens a plain client connection to {@code host:port} (a listener of this proxy, for tee's
     * branch) logged in as this session's user, with the credentials the session holds, so the
     * password never leaves the session. Blocking; {@code timeout} bounds connect and login.
     */
    default io.loomscale.protocol.client.SqlConnection loginAs(String host, int port, java.time.Duration timeout)
            throws IOException {
        throw new IOException("this session cannot open connections in its user's name");
    }

    /** Sends a packet the proxy made itself (OK, ERR) to the client, after replies still streaming. */
    void sendToClient(byte[] packet) throws IOException;
}
