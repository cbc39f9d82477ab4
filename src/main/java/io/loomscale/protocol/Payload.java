package io.loomscale.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cursor over one packet payload, with readers named after the protocol's data types.
 * Not thread-safe; owned by whoever decodes the packet. Every read checks bounds and throws
 * {@link ProtocolException} on a truncated payload.
 *
 * @see <a href="https://mariadb.com/kb/en/protocol-data-types/">MariaDB: protocol data types</a>
 */
public final class Payload {
    private final byte[] buf;
    private final int end;
    private int pos;

    /** A payload at {@code buf[offset, offset+length)}. */
    public Payload(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buf.length) {
            throw new ProtocolException("payload range " + offset + "+" + length + " (expected: <= " + buf.length + ")");
        }
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    /** The payload of a whole packet (4-byte header first). */
    public static Payload ofPacket(byte[] packet) {
        return new Payload(packet, Packets.HEADER, packet.length - Packets.HEADER);
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    public void skip(int n) {
        need(n);
        pos += n;
    }

    private void need(int n) {
        if (n < 0 || end - pos < n) {
            throw new ProtocolException("truncated packet: need " + n + " bytes, remaining: " + (end - pos));
        }
    }

    public int peek() {
        need(1);
        return buf[pos] & 0xff;
    }

    public int int1() {
        need(1);
        return buf[pos++] & 0xff;
    }

    public int int2() {
        need(2);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    public int int3() {
        need(3);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16;
        pos += 3;
        return v;
    }

    public long int4() {
        need(4);
        long v = (buf[pos] & 0xffL) | (buf[pos + 1] & 0xffL) << 8 | (buf[pos + 2] & 0xffL) << 16
                | (buf[pos + 3] & 0xffL) << 24;
        pos += 4;
        return v;
    }

    public long int8() {
        long lo = int4();
        long hi = int4();
        return lo | hi << 32;
    }

    /** A length-encoded integer; -1 for the NULL marker 0xfb. */
    public long lenenc() {
        int first = int1();
        if (first < 0xfb) {
            return first;
        }
        return switch (first) {
            case 0xfb -> -1;
            case 0xfc -> int2();
            case 0xfd -> int3();
            case 0xfe -> int8();
            default -> throw new ProtocolException("bad length-encoded integer prefix 0xff");
        };
    }

    public byte[] bytes(int n) {
        need(n);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    public byte[] restBytes() {
        return bytes(end - pos);
    }

    public String fixedString(int n) {
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    public String restString() {
        return fixedString(end - pos);
    }

    /** A NUL-terminated string; a missing terminator at the payload end is accepted. */
    public String nulString() {
        int start = pos;
        int i = start;
        while (i < end && buf[i] != 0) {
            i++;
        }
        String s = new String(buf, start, i - start, StandardCharsets.UTF_8);
        pos = i < end ? i + 1 : end;
        return s;
    }

    public byte[] nulBytes() {
        int start = pos;
        int i = start;
        while (i < end && buf[i] != 0) {
            i++;
        }
        byte[] out = Arrays.copyOfRange(buf, start, i);
        pos = i < end ? i + 1 : end;
        return out;
    }

    /** A length-encoded string; null for the NULL marker. */
    public String lenencString() {
        long n = lenenc();
        if (n < 0) {
            return null;
        }
        if (n > remaining()) {
            throw new ProtocolException("length-encoded string length: " + n + " (expected: <= " + remaining() + ")");
        }
        return fixedString((int) n);
    }

    public byte[] lenencBytes() {
        long n = lenenc();
        if (n < 0) {
            return null;
        }
        if (n > remaining()) {
            throw new ProtocolException("length-encoded string length: " + n + " (expected: <= " + remaining() + ")");
        }
        return bytes((int) n);
    }
}
