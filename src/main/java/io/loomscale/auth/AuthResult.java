package io.loomscale.auth;

import io.loomscale.protocol.ErrPacket;

import java.util.Objects;

/**
 * The outcome of {@link UserCache#authenticate}: either the matched account with what the proxy
 * needs to log in to backends on the client's behalf, or the ERR packet to send to the client.
 * Immutable; owned by the session that asked.
 *
 * @param account       the matched account; null when refused before an account was chosen
 * @param stage1        {@code SHA1(password)} recovered from the client's reply; null for an
 *                      empty password or a refusal
 * @param emptyPassword the account has an empty password (log in to backends with an empty reply)
 * @param error         why the client is refused; null on success
 * @param clearPassword the password itself when the client sent it (mysql_clear_password over
 *                      TLS), for backends that need it (ed25519, PAM); null otherwise
 */
public record AuthResult(UserAccount account, byte[] stage1, boolean emptyPassword, ErrPacket error,
        byte[] clearPassword) {

    /** Success where the proxy learned the password itself (mysql_clear_password over TLS). */
    public static AuthResult okWithPassword(UserAccount account, byte[] password) {
        Objects.requireNonNull(account);
        return new AuthResult(account, password.length == 0 ? null : io.loomscale.protocol.NativePassword.sha1(password),
                password.length == 0, null, password);
    }

    public AuthResult(UserAccount account, byte[] stage1, boolean emptyPassword, ErrPacket error) {
        this(account, stage1, emptyPassword, error, null);
    }

    public static AuthResult ok(UserAccount account, byte[] stage1) {
        Objects.requireNonNull(account);
        return new AuthResult(account, stage1, stage1 == null, null);
    }

    public static AuthResult refused(UserAccount account, ErrPacket error) {
        Objects.requireNonNull(error);
        return new AuthResult(account, null, false, error);
    }

    public boolean isOk() {
        return error == null;
    }

    /** The refusal's error code, or 0 on success. */
    public int errorCode() {
        return error == null ? 0 : error.code();
    }

    @Override
    public String toString() {
        return isOk() ? "ok " + account.displayName() : "refused " + error;
    }
}
