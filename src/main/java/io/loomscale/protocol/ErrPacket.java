package io.loomscale.protocol;

/**
 * ERR packet.
 *
 * @see <a href="https://mariadb.com/kb/en/err_packet/">MariaDB: ERR packet</a>
 */
public record ErrPacket(int code, String sqlState, String message) {

    public static final int ER_CON_COUNT_ERROR = 1040;
    public static final int ER_HANDSHAKE_ERROR = 1043;
    public static final int ER_DBACCESS_DENIED_ERROR = 1044;
    public static final int ER_ACCESS_DENIED_ERROR = 1045;
    public static final int ER_BAD_DB_ERROR = 1049;
    public static final int ER_UNKNOWN_COM_ERROR = 1047;
    public static final int ER_NET_PACKET_TOO_LARGE = 1153;
    public static final int ER_NET_READ_ERROR = 1158;
    public static final int ER_NO_SUCH_THREAD = 1094;
    public static final int ER_KILL_DENIED_ERROR = 1095;
    public static final int ER_NOT_SUPPORTED_AUTH_MODE = 1251;
    public static final int ER_CONNECTION_KILLED = 1927;
    public static final int CR_SERVER_LOST = 2013;
    public static final int ER_SERVER_SHUTDOWN = 1053;
    public static final int ER_UNKNOWN_ERROR = 1105;
    public static final int ER_MALFORMED_PACKET = 1835;

    public static ErrPacket decode(byte[] packet) {
        Payload p = Payload.ofPacket(packet);
        int header = p.int1();
        if (header != Packets.ERR) {
            throw new ProtocolException("ERR packet header: 0x" + Integer.toHexString(header) + " (expected: 0xff)");
        }
        int code = p.int2();
        String state = "HY000";
        if (p.hasRemaining() && p.peek() == '#' && p.remaining() >= 6) {
            p.skip(1);
            state = p.fixedString(5);
        }
        return new ErrPacket(code, state, p.restString());
    }

    public byte[] encode(int seq) {
        return new PacketBuilder(16 + message.length()).int1(Packets.ERR).int2(code).int1('#').string(sqlState)
                .string(message).build(seq);
    }

    @Override
    public String toString() {
        return "ERROR " + code + " (" + sqlState + "): " + message;
    }
}
