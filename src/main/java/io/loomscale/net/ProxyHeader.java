package io.loomscale.net;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol version 1 header (one text line) that a connection to a server with
 * {@code proxy_protocol = true} starts with, so the server sees the client's address instead of
 * the proxy's (grants, {@code SHOW PROCESSLIST}). A MariaDB server accepts it from the addresses
 * in its {@code proxy_protocol_networks}. Stateless.
 *
 * @see <a href="https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt">the PROXY protocol</a>
 * @see <a href="https://mariadb.com/kb/en/proxy-protocol-support/">MariaDB: proxy protocol support</a>
 */
public final class ProxyHeader {
    private ProxyHeader() {
    }

    /**
     * {@code PROXY TCP4|TCP6 client proxy clientPort proxyPort\r\n}; {@code PROXY UNKNOWN\r\n}
     * when the client has no IP address (a unix socket), which makes the server keep the
     * connection's own address.
     */
    public static byte[] v1(SocketAddress client, SocketAddress local) {
        String line;
        if (client instanceof InetSocketAddress c && local instanceof InetSocketAddress l
                && c.getAddress() != null && l.getAddress() != null
                && (c.getAddress() instanceof Inet4Address) == (l.getAddress() instanceof Inet4Address)) {
            String family = c.getAddress() instanceof Inet4Address ? "TCP4" : "TCP6";
            line = "PROXY " + family + " " + c.getAddress().getHostAddress() + " " + l.getAddress().getHostAddress()
                    + " " + c.getPort() + " " + l.getPort() + "\r\n";
        } else {
            line = "PROXY UNKNOWN\r\n";
        }
        return line.getBytes(StandardCharsets.US_ASCII);
    }
}
