package io.loomscale.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one packet: reserves the 4-byte header, appends payload fields by protocol type, and
 * fills the header in {@link #build(int)}. Used for packets the proxy makes itself (handshake,
 * OK, ERR, internal queries), never for forwarded traffic. Payloads above 16 MiB - 1 are split
 * into several packets by {@link #build(int)}.
 */
public final class PacketBuilder {
    private byte[] buf;
    private int len = Packets.HEADER;

    public PacketBuilder() {
        this(64);
    }

    public PacketBuilder(int capacity) {
        buf = new byte[Math.max(capacity, 16) + Packets.HEADER];
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    public PacketBuilder int1(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    public PacketBuilder int2(int v) {
        ensure(2);
        buf[len++] = (byte) v;
        buf[len++] = (byte) (v >>> 8);
        return this;
    }

    public PacketBuilder int3(int v) {
        ensure(3);
        buf[len++] = (byte) v;
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) (v >>> 16);
        return this;
    }

    public PacketBuilder int4(long v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[len++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    public PacketBuilder int8(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[len++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    public PacketBuilder lenenc(long v) {
        if (v < 0xfb) {
            return int1((int) v);
        } else if (v < 1 << 16) {
            return int1(0xfc).int2((int) v);
        } else if (v < 1 << 24) {
            return int1(0xfd).int3((int) v);
        }
        return int1(0xfe).int8(v);
    }

    public PacketBuilder bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public PacketBuilder bytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    public PacketBuilder zeros(int n) {
        ensure(n);
        len += n;
        return this;
    }

    public PacketBuilder string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public PacketBuilder nulString(String s) {
        return string(s).int1(0);
    }

    public PacketBuilder lenencString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return lenencBytes(b);
    }

    public PacketBuilder lenencBytes(byte[] b) {
        lenenc(b.length);
        return bytes(b);
    }

    public int payloadLength() {
        return len - Packets.HEADER;
    }

    /** The finished packet(s) with sequence id {@code seq} (and following ids if split). */
    public byte[] build(int seq) {
        int payload = len - Packets.HEADER;
        if (payload < Packets.MAX_PAYLOAD) {
            Packets.writeHeader(buf, 0, payload, seq);
            return Arrays.copyOf(buf, len);
        }
        return Packets.split(buf, Packets.HEADER, payload, seq);
    }
}
