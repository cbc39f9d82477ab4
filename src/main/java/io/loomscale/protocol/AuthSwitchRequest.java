package io.loomscale.protocol;

/**
 * The server's request to continue authentication with another plugin (header 0xfe).
 *
 * @see <a href="https://mariadb.com/kb/en/connection/#authentication-switch-request">MariaDB: auth switch request</a>
 */
public record AuthSwitchRequest(String plugin, byte[] data) {

    public static AuthSwitchRequest decode(byte[] packet) {
        Payload p = Payload.ofPacket(packet);
        int h = p.int1();
        if (h != Packets.EOF) {
            throw new ProtocolException("auth switch header: 0x" + Integer.toHexString(h) + " (expected: 0xfe)");
        }
        String plugin = p.hasRemaining() ? p.nulString() : NativePassword.PLUGIN;
        byte[] data = p.restBytes();
        // The seed is NUL-terminated on the wire.
        if (data.length > 0 && data[data.length - 1] == 0) {
            data = java.util.Arrays.copyOf(data, data.length - 1);
        }
        return new AuthSwitchRequest(plugin, data);
    }

    public byte[] encode(int seq) {
        return new PacketBuilder(32).int1(Packets.EOF).nulString(plugin).bytes(data).int1(0).build(seq);
    }
}
