package io.loomscale.session;

/**
 * How a session logs in to backends on its client's behalf.
 *
 * @param stage1         SHA1(password), recovered from the client's scramble; null for an empty password
 * @param capabilities   what the backend connection negotiates (the client's, limited to what the proxy forwards)
 * @param connectAttrs   the client's raw connection attributes, or null
 * @param client         the client's address (for a server's PROXY protocol header), or null
 */
public record LoginInfo(String user, byte[] stage1, String database, long capabilities, int collation,
        long maxPacketSize, byte[] connectAttrs, java.net.SocketAddress client) {

    public LoginInfo(String user, byte[] stage1, String database, long capabilities, int collation,
            long maxPacketSize, byte[] connectAttrs) {
        this(user, stage1, database, capabilities, collation, maxPacketSize, connectAttrs, null);
    }

    public LoginInfo withUser(String newUser, byte[] newStage1, String newDatabase) {
        return new LoginInfo(newUser, newStage1, newDatabase, capabilities, collation, maxPacketSize, connectAttrs,
                client);
    }
}
