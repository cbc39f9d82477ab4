package io.loomscale.protocol;

import java.util.Arrays;

/**
 * The initial handshake packet a server sends to a new connection.
 *
 * @param serverVersion the version string (MariaDB 10+ prefixes it with "5.5.5-")
 * @param connectionId  the thread id shown to the client
 * @param seed          the 20-byte scramble
 * @param capabilities  64-bit capabilities: lower 32 standard, upper 32 MariaDB extended
 * @param authPlugin    the default authentication plugin name
 * @see <a href="https://mariadb.com/kb/en/connection/#initial-handshake-packet">MariaDB: initial handshake</a>
 */
public record HandshakeV10(String serverVersion, long connectionId, byte[] seed, long capabilities, int collation,
        int status, String authPlugin) {

    public byte[] encode() {
        PacketBuilder b = new PacketBuilder(128);
        b.int1(10).nulString(serverVersion).int4(connectionId);
        b.bytes(seed, 0, 8).int1(0);
        b.int2((int) (capabilities & 0xffff));
        b.int1(collation).int2(status);
        b.int2((int) ((capabilities >>> 16) & 0xffff));
        b.int1(seed.length + 1);
        b.zeros(6);
        if (Capabilities.has(capabilities, Capabilities.CLIENT_MYSQL)) {
            b.zeros(4);
        } else {
            b.int4(capabilities >>> 32);
        }
        b.bytes(seed, 8, seed.length - 8).int1(0);
        b.nulString(authPlugin);
        return b.build(0);
    }

    public static HandshakeV10 decode(byte[] packet) {
        Payload p = Payload.ofPacket(packet);
        int protocol = p.int1();
        if (protocol == Packets.ERR) {
            throw new ProtocolException("server refused the connection: " + ErrPacket.decode(packet).message());
        }
        if (protocol != 10) {
            throw new ProtocolException("handshake protocol version: " + protocol + " (expected: 10)");
        }
        String version = p.nulString();
        long connId = p.int4();
        byte[] seed1 = p.bytes(8);
        p.skip(1);
        long caps = p.int2();
        int collation = 0;
        int status = 0;
        int authLen = 0;
        byte[] seed2 = new byte[0];
        String plugin = "mysql_native_password";
        if (p.hasRemaining()) {
            collation = p.int1();
            status = p.int2();
            caps |= (long) p.int2() << 16;
            authLen = p.int1();
            p.skip(6);
            long ext = p.int4();
            if (!Capabilities.has(caps, Capabilities.CLIENT_MYSQL)) {
                caps |= ext << 32;
            }
            if (Capabilities.has(caps, Capabilities.SECURE_CONNECTION)) {
                int n = Math.max(12, authLen - 9);
                seed2 = p.bytes(Math.min(n, p.remaining()));
                if (p.hasRemaining()) {
                    p.skip(1);
                }
            }
            if (Capabilities.has(caps, Capabilities.PLUGIN_AUTH) && p.hasRemaining()) {
                plugin = p.nulString();
            }
        }
        byte[] seed = Arrays.copyOf(seed1, 8 + seed2.length);
        System.arraycopy(seed2, 0, seed, 8, seed2.length);
        return new HandshakeV10(version, connId, seed, caps, collation, status, plugin);
    }
}
