package io.loomscale.auth;

import io.loomscale.protocol.NativePassword;

import java.util.Set;

/**
 * One row of {@code mysql.user} (roles left out) with the databases it may use, as loaded by
 * {@link UserCache}. Immutable; the hash array is never handed out for writing.
 *
 * @param user         the user name; empty for an anonymous account (matches any name)
 * @param host         the parsed host part
 * @param passwordHash {@code SHA1(SHA1(password))} (20 bytes); null when the password is empty;
 *                     an empty array when the stored string is not a valid hash (for example
 *                     {@code 'invalid'}), which, as on the server, no password matches
 * @param plugin       the authentication plugin ({@code mysql_native_password} when the column is empty)
 * @param anyDatabase  has a global privilege that opens every database (one of the server's
 *                     database-level privileges granted {@code ON *.*}); other global privileges
 *                     such as PROCESS do not count, as on the server
 * @param databases    database patterns the account has grants on: {@code mysql.db} names as
 *                     stored ({@code %}/{@code _} wildcards, {@code \} escapes), plus the
 *                     databases of table, column and routine grants, escaped to match literally
 * @param locked       {@code ACCOUNT LOCK}
 * @param passwordExpired {@code PASSWORD EXPIRE}
 */
public record UserAccount(String user, HostPattern host, byte[] passwordHash, String plugin, boolean anyDatabase,
        Set<String> databases, boolean locked, boolean passwordExpired) {

    /** Hash value of an account whose stored hash cannot be parsed: nothing matches it. */
    static final byte[] UNUSABLE_HASH = new byte[0];

    public UserAccount {
        databases = Set.copyOf(databases);
        plugin = plugin == null || plugin.isEmpty() ? NativePassword.PLUGIN : plugin;
    }

    /** An account with a native password, no grants and no lock (for tests and examples). */
    public static UserAccount of(String user, String host, String storedHash) {
        return new UserAccount(user, HostPattern.parse(host), hashOf(storedHash), NativePassword.PLUGIN, false,
                Set.of(), false, false);
    }

    /** Parses the stored "*HEX" form: null for empty, {@link #UNUSABLE_HASH} when not a hash. */
    static byte[] hashOf(String stored) {
        if (stored == null || stored.isEmpty()) {
            return null;
        }
        byte[] h = NativePassword.parseStoredHash(stored);
        return h == null ? UNUSABLE_HASH : h;
    }

    public boolean isAnonymous() {
        return user.isEmpty();
    }

    public boolean hasEmptyPassword() {
        return passwordHash == null;
    }

    public boolean usesNativePassword() {
        return NativePassword.PLUGIN.equals(plugin);
    }

    /** A copy with other database grants. */
    public UserAccount withDatabases(boolean any, Set<String> dbs) {
        return new UserAccount(user, host, passwordHash, plugin, any, dbs, locked, passwordExpired);
    }

    /** {@code 'user'@'host'} as the server prints an account. */
    public String displayName() {
        return "'" + user + "'@'" + host.text() + "'";
    }

    @Override
    public String toString() {
        return displayName() + " plugin=" + plugin + (anyDatabase ? " anyDatabase" : " dbs=" + databases)
                + (locked ? " locked" : "") + (passwordExpired ? " expired" : "");
    }
}
