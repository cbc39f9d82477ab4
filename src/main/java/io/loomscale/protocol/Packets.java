package io.loomscale.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * The packet header: 3-byte little-endian payload length and a 1-byte sequence id. A payload of
 * exactly {@link #MAX_PAYLOAD} bytes means "continued in the next packet"; the last part of a
 * split payload is shorter (possibly empty).
 *
 * @see <a href="https://mariadb.com/kb/en/0-packet/">MariaDB: packet</a>
 */
public final class Packets {
    public static final int HEADER = 4;
    public static final int MAX_PAYLOAD = 0xFFFFFF;

    public static final int OK = 0x00;
    public static final int EOF = 0xfe;
    public static final int ERR = 0xff;
    public static final int LOCAL_INFILE = 0xfb;

    private Packets() {
    }

    public static int payloadLength(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16;
    }

    public static int payloadLength(ByteBuffer b, int off) {
        return (b.get(off) & 0xff) | (b.get(off + 1) & 0xff) << 8 | (b.get(off + 2) & 0xff) << 16;
    }

    public static int sequence(byte[] packet) {
        return packet[3] & 0xff;
    }

    public static void writeHeader(byte[] b, int off, int payloadLength, int seq) {
        b[off] = (byte) payloadLength;
        b[off + 1] = (byte) (payloadLength >>> 8);
        b[off + 2] = (byte) (payloadLength >>> 16);
        b[off + 3] = (byte) seq;
    }

    /** First payload byte of a whole packet, or -1 if the payload is empty. */
    public static int firstByte(byte[] packet) {
        return packet.length > HEADER ? packet[HEADER] & 0xff : -1;
    }

    /**
     * Reads one whole packet, header included, from a blocking stream (logins, housekeeping).
     *
     * @param maxPayload the largest payload accepted; a larger header is a {@link ProtocolException}
     * @param peer       who is on the other end, for messages ("server", "client")
     * @throws EOFException when the stream ends before the packet does
     */
    public static byte[] read(InputStream in, int maxPayload, String peer) throws IOException {
        byte[] hdr = in.readNBytes(HEADER);
        if (hdr.length < HEADER) {
            throw new EOFException(peer + " closed the connection");
        }
        int len = payloadLength(hdr, 0);
        if (len > maxPayload) {
            throw new ProtocolException("packet length: " + len + " (expected: <= " + maxPayload + ")");
        }
        byte[] p = new byte[HEADER + len];
        System.arraycopy(hdr, 0, p, 0, HEADER);
        if (in.readNBytes(p, HEADER, len) < len) {
            throw new EOFException(peer + " closed the connection mid-packet");
        }
        return p;
    }

    /** Splits a payload into 16 MiB packets with consecutive sequence ids. */
    static byte[] split(byte[] src, int off, int payload, int seq) {
        int parts = payload / MAX_PAYLOAD + 1;
        byte[] out = new byte[payload + parts * HEADER];
        int o = 0;
        int remaining = payload;
        int s = off;
        for (int i = 0; i < parts; i++) {
            int n = Math.min(remaining, MAX_PAYLOAD);
            writeHeader(out, o, n, (seq + i) & 0xff);
            System.arraycopy(src, s, out, o + HEADER, n);
            o += HEADER + n;
            s += n;
            remaining -= n;
        }
        return out;
    }
}
