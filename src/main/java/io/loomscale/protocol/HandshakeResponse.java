package io.loomscale.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The client's reply to {@link HandshakeV10} (Handshake Response 41), or an SSL request when
 * only its first 32 bytes are sent.
 *
 * @param connectAttributes raw connection attributes (the lenenc-prefixed block), or null
 * @see <a href="https://mariadb.com/kb/en/connection/#client-handshake-response">MariaDB: handshake response</a>
 */
public record HandshakeResponse(long capabilities, long maxPacketSize, int collation, String user, byte[] authResponse,
        String database, String authPlugin, byte[] connectAttributes) {

    /** Length of an SSL request payload (the fixed part only). */
    public static final int SSL_REQUEST_LENGTH = 32;

    public static HandshakeResponse decode(byte[] packet) {
        Payload p = Payload.ofPacket(packet);
        if (p.remaining() < SSL_REQUEST_LENGTH) {
            throw new ProtocolException("handshake response length: " + p.remaining() + " (expected: >= 32)");
        }
        long caps = p.int4();
        if (!Capabilities.has(caps, Capabilities.PROTOCOL_41)) {
            throw new ProtocolException("client does not speak protocol 4.1");
        }
        long maxPacket = p.int4();
        int collation = p.int1();
        p.skip(19);
        long ext = p.int4();
        if (!Capabilities.has(caps, Capabilities.CLIENT_MYSQL)) {
            caps |= ext << 32;
        }
        if (!p.hasRemaining()) {
            return new HandshakeResponse(caps, maxPacket, collation, null, null, null, null, null);
        }
        String user = p.nulString();
        byte[] auth;
        if (Capabilities.has(caps, Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            auth = p.lenencBytes();
        } else if (Capabilities.has(caps, Capabilities.SECURE_CONNECTION)) {
            auth = p.bytes(p.int1());
        } else {
            auth = p.nulBytes();
        }
        if (auth == null) {
            auth = new byte[0];
        }
        String db = null;
        if (Capabilities.has(caps, Capabilities.CONNECT_WITH_DB) && p.hasRemaining()) {
            db = p.nulString();
        }
        String plugin = null;
        if (Capabilities.has(caps, Capabilities.PLUGIN_AUTH) && p.hasRemaining()) {
            plugin = p.nulString();
        }
        byte[] attrs = null;
        if (Capabilities.has(caps, Capabilities.CONNECT_ATTRS) && p.hasRemaining()) {
            int start = p.position();
            long n = p.lenenc();
            if (n < 0 || n > p.remaining()) {
                throw new ProtocolException("connection attributes length: " + n + " (expected: <= " + p.remaining() + ")");
            }
            int hdr = p.position() - start;
            p.skip((int) n);
            attrs = java.util.Arrays.copyOfRange(packet, start, start + hdr + (int) n);
        }
        return new HandshakeResponse(caps, maxPacket, collation, user, auth, db, plugin, attrs);
    }

    /**
     * The SSL request: the fixed 32 bytes of a handshake response with CLIENT_SSL set, after
     * which the client starts TLS.
     */
    public static byte[] sslRequest(long capabilities, long maxPacketSize, int collation, int seq) {
        long caps = capabilities | Capabilities.SSL;
        PacketBuilder b = new PacketBuilder(SSL_REQUEST_LENGTH);
        b.int4(caps & 0xffffffffL).int4(maxPacketSize).int1(collation).zeros(19);
        if (Capabilities.has(caps, Capabilities.CLIENT_MYSQL)) {
            b.zeros(4);
        } else {
            b.int4(caps >>> 32);
        }
        return b.build(seq);
    }

    public boolean isSslRequest() {
        return user == null;
    }

    /** Encodes with sequence id {@code seq}; {@code serverCaps} decides where extended capabilities go. */
    public byte[] encode(int seq) {
        PacketBuilder b = new PacketBuilder(128);
        b.int4(capabilities & 0xffffffffL).int4(maxPacketSize).int1(collation).zeros(19);
        if (Capabilities.has(capabilities, Capabilities.CLIENT_MYSQL)) {
            b.zeros(4);
        } else {
            b.int4(capabilities >>> 32);
        }
        b.nulString(user);
        byte[] auth = authResponse == null ? new byte[0] : authResponse;
        if (Capabilities.has(capabilities, Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            b.lenencBytes(auth);
        } else {
            b.int1(auth.length).bytes(auth);
        }
        if (Capabilities.has(capabilities, Capabilities.CONNECT_WITH_DB)) {
            b.nulString(database == null ? "" : database);
        }
        if (Capabilities.has(capabilities, Capabilities.PLUGIN_AUTH)) {
            b.nulString(authPlugin == null ? "" : authPlugin);
        }
        if (Capabilities.has(capabilities, Capabilities.CONNECT_ATTRS)) {
            if (connectAttributes != null) {
                b.bytes(connectAttributes);
            } else {
                b.lenenc(0);
            }
        }
        return b.build(seq);
    }

    @Override
    public String toString() {
        return "HandshakeResponse[user=" + user + ", db=" + database + ", plugin=" + authPlugin + ", caps=0x"
                + Long.toHexString(capabilities) + "]";
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
