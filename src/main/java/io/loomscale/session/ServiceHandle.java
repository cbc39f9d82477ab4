package io.loomscale.session;

import io.loomscale.net.EventLoop;
import io.loomscale.protocol.ErrPacket;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;

/**
 * What a client session needs from the service it belongs to. Implemented by the service layer,
 * which owns the router, the filters and the accounts.
 */
public interface ServiceHandle {
    String name();

    /**
     * The outcome of checking a client's credentials; {@code account} is the authenticator's own
     * handle on the matched account (for {@link #checkDatabase}), opaque to the session.
     */
    record AuthOutcome(ErrPacket error, byte[] stage1, String user, Object account, byte[] clearPassword) {
        public AuthOutcome(ErrPacket error, byte[] stage1, String user) {
            this(error, stage1, user, null, null);
        }

        public boolean ok() {
            return error == null;
        }
    }

    /**
     * The authentication plugin of the account {@code user} at {@code client} would log in as
     * ({@code mysql_native_password}, {@code ed25519}, {@code pam}...), or null if none.
     */
    default String accountPlugin(String user, InetAddress client) {
        return null;
    }

    /** Checks a client_ed25519 signature of {@code nonce}. */
    default AuthOutcome authenticateEd25519(String user, InetAddress client, byte[] nonce, byte[] signature,
            String database) {
        return new AuthOutcome(new ErrPacket(ErrPacket.ER_NOT_SUPPORTED_AUTH_MODE, "08004",
                "this service does not support client_ed25519"), null, user);
    }

    /** Checks a password the client sent in clear text (mysql_clear_password, over TLS only). */
    default AuthOutcome authenticateClear(String user, InetAddress client, byte[] password, String database) {
        return new AuthOutcome(new ErrPacket(ErrPacket.ER_NOT_SUPPORTED_AUTH_MODE, "08004",
                "this service does not support mysql_clear_password"), null, user);
    }

    /**
     * Whether the logged-in account may use {@code db} (COM_INIT_DB, {@code USE}): null if so,
     * else the server's ERR 1044. The default trusts the servers' own check.
     */
    default ErrPacket checkDatabase(AuthOutcome login, String db) {
        return null;
    }

    /**
     * Checks a mysql_native_password reply (or empty) against the accounts; may reload them.
     * {@code client} is null for a client on a unix socket.
     */
    AuthOutcome authenticate(String user, InetAddress client, byte[] seed, byte[] reply, String database);

    /** The version string to advertise ("5.5.5-10.11.x-MariaDB..." as learned from a backend). */
    String serverVersion();

    /** Capabilities to advertise: what the proxy handles, limited to what the backends support. */
    long serverCapabilities();

    /** Builds this session's filter chain and router session (which opens its backends). */
    Downstream newDownstream(SessionContext ctx) throws IOException;

    /** The loop a new session's sockets go to. */
    EventLoop nextLoop();

    SessionRegistry registry();

    /** Persistent backend connections shared by the services. */
    PersistentPool pool();

    /** Idle timeout ({@code connection_timeout}); ZERO = none. */
    Duration idleTimeout();

    /** Backend connect/login timeout. */
    Duration backendTimeout();


    /** Counts a client packet routed (diagnostics). */
    void countStatement();
}
