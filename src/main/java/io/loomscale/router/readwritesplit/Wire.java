package io.loomscale.router.readwritesplit;

import io.loomscale.protocol.Packets;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Small packet helpers of the router: little-endian fields, COM_QUERY packets, one-value results. */
final class Wire {
    private Wire() {
    }

    static int int2(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    static int int4(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    static void put4(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    /** The packets of a captured reply, back to back, as the client should get them. */
    static byte[] concat(List<byte[]> packets) {
        int total = 0;
        for (byte[] p : packets) {
            total += p.length;
        }
        byte[] out = new byte[total];
        int pos = 0;
        for (byte[] p : packets) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }

    /** A COM_QUERY packet (sequence 0) for {@code sql}. */
    static byte[] query(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[Packets.HEADER + 1 + text.length];
        Packets.writeHeader(p, 0, 1 + text.length, 0);
        p[Packets.HEADER] = 3;
        System.arraycopy(text, 0, p, Packets.HEADER + 1, text.length);
        return p;
    }

    /**
     * The first column of the first row of a text result set (the packets of a COM_QUERY reply),
     * or null when the reply is an error, has no row, or the value is NULL.
     */
    static String firstValue(List<byte[]> reply) {
        if (reply.isEmpty() || Packets.firstByte(reply.get(0)) == Packets.ERR || Packets.firstByte(reply.get(0)) == Packets.OK) {
            return null;
        }
        byte[] first = reply.get(0);
        int columns = first[Packets.HEADER] & 0xff; // one-byte length-encoded count: our queries have few columns
        int i = 1 + columns;
        if (i < reply.size() && isEof(reply.get(i))) {
            i++; // the EOF after the column definitions (no CLIENT_DEPRECATE_EOF)
        }
        if (i >= reply.size() || isEof(reply.get(i)) || Packets.firstByte(reply.get(i)) == Packets.ERR) {
            return null;
        }
        byte[] row = reply.get(i);
        int pos = Packets.HEADER;
        int lead = row[pos] & 0xff;
        if (lead == 0xfb) {
            return null;
        }
        long len;
        if (lead < 0xfb) {
            len = lead;
            pos += 1;
        } else if (lead == 0xfc) {
            len = int2(row, pos + 1);
            pos += 3;
        } else if (lead == 0xfd) {
            len = (row[pos + 1] & 0xff) | (row[pos + 2] & 0xff) << 8 | (row[pos + 3] & 0xff) << 16;
            pos += 4;
        } else {
            return null; // 8-byte lengths: not a value we ask for
        }
        if (pos + len > row.length) {
            return null;
        }
        return new String(row, pos, (int) len, StandardCharsets.UTF_8);
    }

    private static boolean isEof(byte[] p) {
        return Packets.firstByte(p) == Packets.EOF && p.length - Packets.HEADER < 9;
    }

    /** A string literal for SQL text: single quotes, with quotes and backslashes escaped. */
    static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
