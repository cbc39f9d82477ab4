package io.loomscale.session;

/**
 * How a session logs in to backends on its client's behalf.
 *
 * @param stage1         SHA1(password), recovered from the client's scramble; null for an empty password
 * @param capabilities   what the backend connection negotiates (the client's, limited to what the proxy forwards)
 * @param connectAttrs   the client's raw connection attributes, or null
 * @param client         the client's address (for a server's PROXY protocol header), or null
 * @param clearPassword  the password itself when the client sent it over TLS (for servers that
 *                       ask for client_ed25519, mysql_clear_password or dialog), else null
 */
public record LoginInfo(String user, byte[] stage1, String database, long capabilities, int collation,
        long maxPacketSize, byte[] connectAttrs, java.net.SocketAddress client, byte[] clearPassword) {

    public LoginInfo(String user, byte[] stage1, String database, long capabilities, int collation,
            long maxPacketSize, byte[] connectAttrs) {
        this(user, stage1, database, capabilities, collation, maxPacketSize, connectAttrs, null, null);
    }

    /** After COM_CHANGE_USER with mysql_native_password: no clear password is known. */
    public LoginInfo withUser(String newUser, byte[] newStage1, String newDatabase) {
        return withUser(newUser, newStage1, newDatabase, null);
    }

    /** After COM_CHANGE_USER; {@code newClearPassword} when the client sent it over TLS, else null. */
    public LoginInfo withUser(String newUser, byte[] newStage1, String newDatabase, byte[] newClearPassword) {
        return new LoginInfo(newUser, newStage1, newDatabase, capabilities, collation, maxPacketSize, connectAttrs,
                client, newClearPassword);
    }

    @Override
    public String toString() {
        return "LoginInfo[user=" + user + ", database=" + database + "]"; // no secrets in logs
    }
}
