package io.loomscale.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A PROXY protocol header (version 1 text or version 2 binary) that a load balancer in front of a
 * listener may send before the client's first MariaDB packet, accepted from the networks in the
 * listener's {@code proxy_protocol_networks} as MariaDB and MaxScale do: the header is optional
 * (a client of that network may connect directly), so the reader looks at the first bytes and
 * gives them back when they are not a header. Immutable; {@link #read} runs on the session's
 * virtual thread during the handshake.
 *
 * @see <a href="https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt">the PROXY protocol</a>
 */
public final class ProxyProtocolReader {
    private static final byte[] V2_SIGNATURE = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
    private static final int V1_MAX = 107;

    /** One {@code address/prefix} network. */
    private record Network(byte[] address, int prefix) {
        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (b[i] != address[i]) {
                    return false;
                }
            }
            int bits = prefix % 8;
            if (bits == 0) {
                return true;
            }
            int mask = (0xff << (8 - bits)) & 0xff;
            return (b[full] & mask) == (address[full] & mask);
        }
    }

    /** The result: the stream to read the MariaDB handshake from, and the client's address. */
    public record Result(InputStream in, InetSocketAddress client) {
    }

    private final List<Network> networks;

    private ProxyProtocolReader(List<Network> networks) {
        this.networks = List.copyOf(networks);
    }

    /**
     * Parses {@code proxy_protocol_networks}: addresses ({@code 10.0.0.5}), networks
     * ({@code 10.0.0.0/8}, {@code ::1/128}) or {@code *} (any address), separated by commas or
     * spaces. Throws IllegalArgumentException naming the bad element.
     */
    public static ProxyProtocolReader parse(List<String> elements) {
        List<Network> out = new ArrayList<>();
        for (String el : elements) {
            for (String part : el.split("[,\\s]+")) {
                if (part.isEmpty()) {
                    continue;
                }
                if (part.equals("*")) {
                    out.add(new Network(new byte[4], 0));
                    out.add(new Network(new byte[16], 0));
                    continue;
                }
                int slash = part.indexOf('/');
                String addr = slash < 0 ? part : part.substring(0, slash);
                if (!addr.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                    throw new IllegalArgumentException("'" + part + "' is not an IP address or network");
                }
                byte[] bytes;
                try {
                    bytes = InetAddress.getByName(addr).getAddress();
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("'" + part + "' is not an IP address or network");
                }
                int max = bytes.length * 8;
                int prefix = max;
                if (slash >= 0) {
                    try {
                        prefix = Integer.parseInt(part.substring(slash + 1));
                    } catch (NumberFormatException e) {
                        prefix = -1;
                    }
                    if (prefix < 0 || prefix > max) {
                        throw new IllegalArgumentException("'" + part + "': prefix length (expected: 0.." + max + ")");
                    }
                }
                out.add(new Network(bytes, prefix));
            }
        }
        return new ProxyProtocolReader(out);
    }

    /** Whether a peer at {@code a} may send a header. */
    public boolean allows(InetAddress a) {
        for (Network n : networks) {
            if (n.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a header if one comes first; otherwise the stream is given back untouched. The
     * client's address is the header's source, or {@code peer} when there is no header or it
     * says UNKNOWN / LOCAL. Throws {@link IOException} for a malformed header.
     */
    public Result read(InputStream raw, InetSocketAddress peer) throws IOException {
        PushbackInputStream in = new PushbackInputStream(raw, 16);
        byte[] start = in.readNBytes(5);
        if (start.length < 5) {
            in.unread(start);
            return new Result(in, peer);
        }
        if (Arrays.equals(start, "PROXY".getBytes(StandardCharsets.US_ASCII))) {
            return new Result(in, v1(in, peer));
        }
        if (Arrays.equals(start, Arrays.copyOf(V2_SIGNATURE, 5))) {
            byte[] sig = in.readNBytes(7);
            if (!Arrays.equals(sig, Arrays.copyOfRange(V2_SIGNATURE, 5, 12))) {
                throw new IOException("bad PROXY protocol v2 signature");
            }
            return new Result(in, v2(in, peer));
        }
        in.unread(start);
        return new Result(in, peer);
    }

    private static InetSocketAddress v1(InputStream in, InetSocketAddress peer) throws IOException {
        StringBuilder line = new StringBuilder("PROXY");
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("PROXY header cut short");
            }
            line.append((char) c);
            if (line.length() > V1_MAX) {
                throw new IOException("PROXY header longer than " + V1_MAX + " bytes");
            }
            if (c == '\n') {
                break;
            }
        }
        String s = line.toString();
        if (!s.endsWith("\r\n")) {
            throw new IOException("PROXY header does not end with CRLF");
        }
        String[] f = s.trim().split(" ");
        if (f.length >= 2 && f[1].equals("UNKNOWN")) {
            return peer;
        }
        if (f.length != 6 || !(f[1].equals("TCP4") || f[1].equals("TCP6"))) {
            throw new IOException("malformed PROXY header: " + s.trim());
        }
        try {
            InetAddress src = literal(f[2]);
            int port = Integer.parseInt(f[4]);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException(f[4]);
            }
            return new InetSocketAddress(src, port);
        } catch (NumberFormatException | UnknownHostException e) {
            throw new IOException("malformed PROXY header: " + s.trim());
        }
    }

    private static InetSocketAddress v2(InputStream in, InetSocketAddress peer) throws IOException {
        byte[] h = in.readNBytes(4);
        if (h.length < 4) {
            throw new IOException("PROXY v2 header cut short");
        }
        int verCmd = h[0] & 0xff;
        int family = h[1] & 0xff;
        int len = ((h[2] & 0xff) << 8) | (h[3] & 0xff);
        byte[] body = in.readNBytes(len);
        if (body.length < len || (verCmd >> 4) != 2) {
            throw new IOException("malformed PROXY v2 header");
        }
        if ((verCmd & 0x0f) == 0) {
            return peer; // LOCAL: the balancer's own connection (health check)
        }
        if (family >> 4 == 1 && len >= 12) {
            return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(body, 0, 4)),
                    ((body[8] & 0xff) << 8) | (body[9] & 0xff));
        }
        if (family >> 4 == 2 && len >= 36) {
            return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(body, 0, 16)),
                    ((body[32] & 0xff) << 8) | (body[33] & 0xff));
        }
        return peer; // UNSPEC or a unix address
    }

    /** An IP literal only: never a name lookup from a header's text. */
    private static InetAddress literal(String s) throws UnknownHostException {
        if (!s.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new UnknownHostException(s);
        }
        return InetAddress.getByName(s);
    }
}
