package io.loomscale.protocol;

/**
 * OK packet (also the 0xfe-headed OK that replaces EOF under CLIENT_DEPRECATE_EOF).
 *
 * @see <a href="https://mariadb.com/kb/en/ok_packet/">MariaDB: OK packet</a>
 */
public record OkPacket(long affectedRows, long lastInsertId, int status, int warnings, String info) {

    /** Decodes an OK packet of a connection that negotiated {@code caps}. */
    public static OkPacket decode(byte[] packet, long caps) {
        Payload p = Payload.ofPacket(packet);
        int header = p.int1();
        if (header != Packets.OK && header != Packets.EOF) {
            throw new ProtocolException("OK packet header: 0x" + Integer.toHexString(header) + " (expected: 0x00 or 0xfe)");
        }
        long affected = p.lenenc();
        long insertId = p.lenenc();
        int status = p.int2();
        int warnings = p.int2();
        String info = "";
        if (p.hasRemaining()) {
            info = Capabilities.has(caps, Capabilities.SESSION_TRACK) ? p.lenencString() : p.restString();
        }
        return new OkPacket(affected, insertId, status, warnings, info == null ? "" : info);
    }

    public byte[] encode(int seq, long clientCaps) {
        PacketBuilder b = new PacketBuilder(16 + info.length());
        b.int1(Packets.OK).lenenc(affectedRows).lenenc(lastInsertId).int2(status).int2(warnings);
        if (!info.isEmpty()) {
            if (Capabilities.has(clientCaps, Capabilities.SESSION_TRACK)) {
                b.lenencString(info);
            } else {
                b.string(info);
            }
        }
        return b.build(seq);
    }

    public static byte[] simple(int seq, int status) {
        return new OkPacket(0, 0, status, 0, "").encode(seq, 0);
    }
}
