package io.loomscale.auth;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Who a client is, as far as account matching cares: its IP address in the text form MariaDB
 * prints, and optionally a host name.
 *
 * <p>No DNS lookup is ever done here: by default the proxy behaves like a server started with
 * {@code skip-name-resolve} (as the test cluster's servers are, and as MariaDB recommends), so a
 * client has no name, {@code 'u'@'localhost'} accounts never match a TCP client, and a client on
 * 127.0.0.1 gets the same account the backend will give the proxy's own connection. A server that
 * does resolve names calls 127.0.0.1 and ::1 {@code localhost} without asking DNS; {@link
 * #of(InetAddress, boolean)} does the same when asked. Patterns such as {@code %.example.com}
 * only match when a caller that did its own (forward confirmed) reverse lookup builds the value
 * with {@link #named(InetAddress, String)}.
 *
 * <p>IPv4-mapped IPv6 addresses ({@code ::ffff:127.0.0.1}) are normalised to IPv4 first, as the
 * server does. Immutable.
 *
 * @param ip       the address as MariaDB prints it in "Access denied for user 'u'@'IP'":
 *                 dotted IPv4, or compressed lowercase IPv6 ({@code ::1}, {@code fe80::1})
 * @param name     a host name to match name patterns against, or null
 * @param address  the normalised address
 * @param loopback true for {@code 127.0.0.1} and {@code ::1}
 */
public record ClientHost(String ip, String name, InetAddress address, boolean loopback) {

    public static final String LOCALHOST = "localhost";

    /** The client at {@code address}, nameless (skip-name-resolve). */
    public static ClientHost of(InetAddress address) {
        return of(address, false);
    }

    /**
     * The client at {@code address}, without a DNS lookup; with {@code loopbackIsLocalhost},
     * 127.0.0.1 and ::1 are named {@code localhost}, as a name-resolving server names them.
     */
    public static ClientHost of(InetAddress address, boolean loopbackIsLocalhost) {
        InetAddress a = normalise(address);
        boolean loop = isLoopback(a);
        return new ClientHost(print(a), loop && loopbackIsLocalhost ? LOCALHOST : null, a, loop);
    }

    /**
     * A client on the unix socket: MariaDB names it {@code localhost} (matching
     * {@code 'u'@'localhost'} accounts and printed so in errors) and treats it as local.
     */
    public static ClientHost localSocket() {
        return new ClientHost(LOCALHOST, LOCALHOST, InetAddress.getLoopbackAddress(), true);
    }

    /** The client at {@code address} whose host name the caller has resolved (and confirmed). */
    public static ClientHost named(InetAddress address, String name) {
        InetAddress a = normalise(address);
        return new ClientHost(print(a), name, a, isLoopback(a));
    }

    /** Parses an IP literal (for tests and configuration); never resolves names. */
    public static ClientHost ofLiteral(String ip) {
        return of(IpLiteral.parse(ip));
    }

    /** Turns IPv4-mapped IPv6 into IPv4 and drops IPv6 scope ids. */
    static InetAddress normalise(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            try {
                if (isV4Mapped(b)) {
                    return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
                }
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
            }
        }
        return a;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    private static boolean isLoopback(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] == 1;
        }
        for (int i = 0; i < 15; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[15] == 1;
    }

    /**
     * The text form the server prints (glibc {@code inet_ntop}): dotted IPv4; IPv6 in lowercase
     * hex without leading zeros, the longest run of two or more zero groups (the first one on a
     * tie) written as "::", and an IPv4-compatible address ({@code ::a.b.c.d}) with a dotted tail.
     */
    static String print(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestBase = -1;
        int bestLen = 0;
        for (int i = 0; i < 8;) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestBase = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder sb = new StringBuilder(40);
        for (int i = 0; i < 8; i++) {
            if (i == bestBase) {
                sb.append(':');
                i += bestLen - 1;
                if (i == 7) {
                    sb.append(':');
                }
                continue;
            }
            if (i > 0) {
                sb.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                sb.append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.').append(b[14] & 0xff)
                        .append('.').append(b[15] & 0xff);
                break;
            }
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }
}
