package io.loomscale.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyProtocolReaderTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
    private static final byte[] PACKET = {32, 0, 0, 1, 5, 6, 7, 8, 9};
    private final ProxyProtocolReader reader = ProxyProtocolReader.parse(List.of("127.0.0.0/8, 10.0.0.5"));

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(a);
        o.writeBytes(b);
        return o.toByteArray();
    }

    @Test
    void networksMatchByPrefix() throws Exception {
        assertTrue(reader.allows(InetAddress.getByName("127.9.9.9")));
        assertTrue(reader.allows(InetAddress.getByName("10.0.0.5")));
        assertFalse(reader.allows(InetAddress.getByName("10.0.0.6")));
        assertFalse(reader.allows(InetAddress.getByName("::1")));
        assertTrue(ProxyProtocolReader.parse(List.of("*")).allows(InetAddress.getByName("::1")));
        assertTrue(ProxyProtocolReader.parse(List.of("192.168.0.0/23")).allows(InetAddress.getByName("192.168.1.200")));
        assertFalse(ProxyProtocolReader.parse(List.of("192.168.0.0/23")).allows(InetAddress.getByName("192.168.2.1")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "10.0.0.0/33", "10.0.0.0/x", "::1/129"})
    void badNetworksAreRefused(String bad) {
        assertThrows(IllegalArgumentException.class, () -> ProxyProtocolReader.parse(List.of(bad)));
    }

    @Test
    void v1HeaderNamesTheClientAndTheStreamContinuesAfterIt() throws Exception {
        byte[] in = concat("PROXY TCP4 10.1.2.3 127.0.0.1 5555 4006\r\n".getBytes(StandardCharsets.US_ASCII), PACKET);
        ProxyProtocolReader.Result r = reader.read(new ByteArrayInputStream(in), PEER);
        assertEquals(new InetSocketAddress("10.1.2.3", 5555), r.client());
        assertArrayEquals(PACKET, r.in().readAllBytes());
    }

    @Test
    void v2HeaderNamesTheClient() throws Exception {
        byte[] hdr = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "21" + "11" + "000c"
                + "0a010203" + "7f000001" + "15b3" + "0fa6");
        ProxyProtocolReader.Result r = reader.read(new ByteArrayInputStream(concat(hdr, PACKET)), PEER);
        assertEquals(new InetSocketAddress("10.1.2.3", 5555), r.client());
        assertArrayEquals(PACKET, r.in().readAllBytes());
    }

    @Test
    void noHeaderGivesTheBytesBack() throws Exception {
        ProxyProtocolReader.Result r = reader.read(new ByteArrayInputStream(PACKET), PEER);
        assertEquals(PEER, r.client());
        assertArrayEquals(PACKET, r.in().readAllBytes());
        ProxyProtocolReader.Result unknown = reader.read(new ByteArrayInputStream(
                concat("PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII), PACKET)), PEER);
        assertEquals(PEER, unknown.client());
        assertArrayEquals(PACKET, unknown.in().readAllBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PROXY TCP4 10.1.2.3 127.0.0.1 5555\r\n", "PROXY TCP4 host.example 127.0.0.1 1 2\r\n",
        "PROXY TCP4 10.1.2.3 127.0.0.1 5555 4006\n", "PROXY TCP4 10.1.2.3 127.0.0.1 99999 4006\r\n", "PROXY TCP4"})
    void malformedHeadersAreErrors(String header) {
        assertThrows(IOException.class, () -> reader.read(
                new ByteArrayInputStream(header.getBytes(StandardCharsets.US_ASCII)), PEER));
    }

    @Test
    void endlessHeaderIsCutOff() {
        byte[] in = ("PROXY " + "1".repeat(500)).getBytes(StandardCharsets.US_ASCII);
        assertThrows(IOException.class, () -> reader.read(new ByteArrayInputStream(in), PEER));
    }
}
