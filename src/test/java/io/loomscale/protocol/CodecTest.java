package io.loomscale.protocol;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void okPacketMatchesMariaDbBytes() {
        // OK after "SET @a=1": affected 0, insert id 0, status AUTOCOMMIT, no warnings.
        byte[] expected = HEX.parseHex("0700000100000002000000");
        assertArrayEquals(expected, new OkPacket(0, 0, 2, 0, "").encode(1, 0));
        OkPacket ok = OkPacket.decode(expected, 0);
        assertEquals(2, ok.status());
    }

    @Test
    void errPacketRoundTrip() {
        ErrPacket e = new ErrPacket(1045, "28000", "Access denied for user 'a'@'b' (using password: YES)");
        byte[] p = e.encode(2);
        assertEquals(0xff, p[4] & 0xff);
        assertEquals(2, Packets.sequence(p));
        assertEquals(e, ErrPacket.decode(p));
    }

    @Test
    void lenencIntegersRoundTripAtEveryWidth() {
        long[] values = {0, 250, 251, 65535, 65536, 16777215, 16777216, 1L << 40};
        for (long v : values) {
            byte[] p = new PacketBuilder().lenenc(v).build(0);
            assertEquals(v, Payload.ofPacket(p).lenenc(), "value " + v);
        }
    }

    @Test
    void truncatedPayloadThrowsProtocolException() {
        byte[] p = HEX.parseHex("03000000fc0100");
        ProtocolException e = assertThrows(ProtocolException.class, () -> Payload.ofPacket(p).int4());
        assertEquals("truncated packet: need 4 bytes, remaining: 3", e.getMessage());
    }

    @Test
    void handshakeRoundTripKeepsSeedAndExtendedCapabilities() {
        byte[] seed = "abcdefghijklmnopqrst".getBytes();
        HandshakeV10 hs = new HandshakeV10("5.5.5-10.11.19-MariaDB", 42, seed, Capabilities.PROXY_SERVER, 45, 2,
                NativePassword.PLUGIN);
        HandshakeV10 back = HandshakeV10.decode(hs.encode());
        assertArrayEquals(seed, back.seed());
        assertEquals(42, back.connectionId());
        assertEquals(Capabilities.PROXY_SERVER, back.capabilities());
        assertEquals("5.5.5-10.11.19-MariaDB", back.serverVersion());
        assertEquals(NativePassword.PLUGIN, back.authPlugin());
    }

    @Test
    void handshakeResponseRoundTrip() {
        long caps = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH
                | Capabilities.CONNECT_WITH_DB | Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA
                | Capabilities.MARIADB_CLIENT_STMT_BULK_OPERATIONS;
        byte[] auth = new byte[20];
        auth[3] = 9;
        HandshakeResponse r = new HandshakeResponse(caps, 1 << 24, 45, "app", auth, "test", NativePassword.PLUGIN, null);
        HandshakeResponse back = HandshakeResponse.decode(r.encode(1));
        assertEquals("app", back.user());
        assertEquals("test", back.database());
        assertArrayEquals(auth, back.authResponse());
        assertEquals(caps, back.capabilities());
    }

    @Test
    void shortHandshakeResponseIsRejected() {
        byte[] p = new PacketBuilder().int4(Capabilities.PROTOCOL_41).build(1);
        assertThrows(ProtocolException.class, () -> HandshakeResponse.decode(p));
    }

    @Test
    void sslRequestIsRecognised() {
        byte[] p = new PacketBuilder().int4(Capabilities.PROTOCOL_41 | Capabilities.SSL).int4(0).int1(45).zeros(23).build(1);
        assertEquals(true, HandshakeResponse.decode(p).isSslRequest());
    }

    @Test
    void payloadOver16MiBIsSplit() {
        PacketBuilder b = new PacketBuilder(Packets.MAX_PAYLOAD + 10);
        b.zeros(Packets.MAX_PAYLOAD + 5);
        byte[] out = b.build(0);
        assertEquals(Packets.MAX_PAYLOAD, Packets.payloadLength(out, 0));
        int second = Packets.HEADER + Packets.MAX_PAYLOAD;
        assertEquals(5, Packets.payloadLength(out, second));
        assertEquals(1, out[second + 3]);
    }
}
