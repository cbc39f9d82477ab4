package io.loomscale.module;

import io.loomscale.session.ServiceHandle;

import java.net.InetAddress;

/**
 * A service's authenticator instance: checks client credentials against the accounts it knows.
 * Thread-safe; called on session virtual threads, may block on a reload.
 */
public interface Authenticator {
    /** @param client the client's address, or null for a client on a unix socket (MariaDB's {@code localhost}) */
    ServiceHandle.AuthOutcome authenticate(String user, InetAddress client, byte[] seed, byte[] reply, String database);

    /**
     * Whether the account of a successful login ({@link ServiceHandle.AuthOutcome#account()}) may
     * use {@code db}: null if so, else the server's ERR. The default leaves it to the servers.
     */
    default io.loomscale.protocol.ErrPacket checkDatabase(Object account, String db) {
        return null;
    }

    /** The plugin of the account {@code user} at {@code client} would use, or null (see ServiceHandle). */
    default String accountPlugin(String user, InetAddress client) {
        return null;
    }

    /** A client_ed25519 login; by default unsupported. */
    default ServiceHandle.AuthOutcome authenticateEd25519(String user, InetAddress client, byte[] nonce,
            byte[] signature, String database) {
        return new ServiceHandle.AuthOutcome(new io.loomscale.protocol.ErrPacket(
                io.loomscale.protocol.ErrPacket.ER_NOT_SUPPORTED_AUTH_MODE, "08004",
                "this authenticator does not support client_ed25519"), null, user);
    }

    /** A mysql_clear_password login; by default unsupported. */
    default ServiceHandle.AuthOutcome authenticateClear(String user, InetAddress client, byte[] password,
            String database) {
        return new ServiceHandle.AuthOutcome(new io.loomscale.protocol.ErrPacket(
                io.loomscale.protocol.ErrPacket.ER_NOT_SUPPORTED_AUTH_MODE, "08004",
                "this authenticator does not support mysql_clear_password"), null, user);
    }

    /** The backends' version string, or null if not yet known. */
    String serverVersion();

    /** Loads the accounts now (startup, admin "reload"). Failures are logged, not thrown. */
    void reload();
}
