package io.loomscale.protocol;

import java.io.ByteArrayOutputStream;

/** Builders for server replies as MariaDB sends them, for codec and tracker tests. */
public final class Fixtures {
    private Fixtures() {
    }

    public static byte[] ok(int seq, int status) {
        return new PacketBuilder().int1(0).lenenc(0).lenenc(0).int2(status).int2(0).build(seq);
    }

    public static byte[] eof(int seq, int status) {
        return new PacketBuilder().int1(0xfe).int2(0).int2(status).build(seq);
    }

    /** An OK in EOF's place (CLIENT_DEPRECATE_EOF). */
    public static byte[] okEof(int seq, int status) {
        return new PacketBuilder().int1(0xfe).lenenc(0).lenenc(0).int2(status).int2(0).build(seq);
    }

    public static byte[] err(int seq) {
        return new ErrPacket(1064, "42000", "You have an error in your SQL syntax").encode(seq);
    }

    public static byte[] columnDef(int seq, String name) {
        return new PacketBuilder().lenencString("def").lenencString("test").lenencString("t").lenencString("t")
                .lenencString(name).lenencString(name).lenenc(0x0c).int2(45).int4(40).int1(0xfd).int2(0).int1(0)
                .int2(0).build(seq);
    }

    public static byte[] textRow(int seq, String... values) {
        PacketBuilder b = new PacketBuilder();
        for (String v : values) {
            if (v == null) {
                b.int1(0xfb);
            } else {
                b.lenencString(v);
            }
        }
        return b.build(seq);
    }

    /** A whole text result set: column count, definitions, [EOF], rows, terminator. */
    public static byte[] resultSet(boolean deprecateEof, int status, int columns, int rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int seq = 1;
        out.writeBytes(new PacketBuilder().lenenc(columns).build(seq++));
        for (int c = 0; c < columns; c++) {
            out.writeBytes(columnDef(seq++, "c" + c));
        }
        if (!deprecateEof) {
            out.writeBytes(eof(seq++, status & ~ServerStatus.MORE_RESULTS_EXISTS));
        }
        for (int r = 0; r < rows; r++) {
            String[] vals = new String[columns];
            for (int c = 0; c < columns; c++) {
                vals[c] = (r + c) % 7 == 0 ? null : "v" + r + "_" + c;
            }
            out.writeBytes(textRow(seq++ & 0xff, vals));
        }
        out.writeBytes(deprecateEof ? okEof(seq & 0xff, status) : eof(seq & 0xff, status));
        return out.toByteArray();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
