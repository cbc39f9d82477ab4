package io.loomscale.auth;

import io.loomscale.protocol.ErrPacket;

/**
 * The ERR packets a MariaDB 10.11 server sends when it refuses a login or a database, with the
 * same code, SQLSTATE and text, so a client cannot tell the proxy from the server. Stateless.
 *
 * @see <a href="https://mariadb.com/kb/en/mariadb-error-code-reference/">MariaDB: error codes</a>
 */
final class AuthErrors {
    static final int ER_ACCOUNT_HAS_BEEN_LOCKED = 4151;
    static final int ER_MUST_CHANGE_PASSWORD_LOGIN = 1862;

    private AuthErrors() {
    }

    /**
     * 1045: wrong or unknown user or password. {@code host} is the client's IP as the server
     * prints it ({@link ClientHost#ip()}), the user the name the client sent.
     */
    static ErrPacket accessDenied(String user, String host, boolean usingPassword) {
        return new ErrPacket(ErrPacket.ER_ACCESS_DENIED_ERROR, "28000", "Access denied for user '" + user + "'@'"
                + host + "' (using password: " + (usingPassword ? "YES" : "NO") + ")");
    }

    /** 1044: the account (printed as the server names it, e.g. {@code 'app'@'%'}) has no grant on {@code db}. */
    static ErrPacket dbAccessDenied(UserAccount account, String db) {
        return new ErrPacket(ErrPacket.ER_DBACCESS_DENIED_ERROR, "42000", "Access denied for user '" + account.user()
                + "'@'" + account.host().text() + "' to database '" + db + "'");
    }

    /** 1049. */
    static ErrPacket unknownDatabase(String db) {
        return new ErrPacket(ErrPacket.ER_BAD_DB_ERROR, "42000", "Unknown database '" + db + "'");
    }

    /** 4151, sent only after a correct password, as the server does. */
    static ErrPacket accountLocked() {
        return new ErrPacket(ER_ACCOUNT_HAS_BEEN_LOCKED, "HY000", "Access denied, this account is locked");
    }

    /**
     * 1862. The server lets clients that announce expired-password support in to a sandbox; the
     * proxy cannot route such a session, so it always refuses like the server does for old clients.
     */
    static ErrPacket passwordExpired() {
        return new ErrPacket(ER_MUST_CHANGE_PASSWORD_LOGIN, "HY000",
                "Your password has expired. To log in you must change it using a client that supports expired passwords");
    }

    /** 1251, naming the account's plugin: the proxy only speaks mysql_native_password to clients. */
    static ErrPacket unsupportedPlugin(UserAccount account) {
        return new ErrPacket(ErrPacket.ER_NOT_SUPPORTED_AUTH_MODE, "08004",
                "Client does not support authentication protocol requested by server; account "
                        + account.displayName() + " uses authentication plugin '" + account.plugin()
                        + "', but this proxy supports only mysql_native_password");
    }
}
