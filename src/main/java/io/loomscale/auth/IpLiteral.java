package io.loomscale.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parses IP address literals without ever touching DNS. Stateless. */
final class IpLiteral {
    private IpLiteral() {
    }

    /**
     * Dotted-decimal IPv4 with exactly four parts of 0..255 (the server's own rule for the
     * {@code IP/NETMASK} host form), as an unsigned 32-bit value; -1 when {@code s} is not that.
     */
    static long v4(String s) {
        long value = 0;
        int part = 0;
        int i = 0;
        while (part < 4) {
            int start = i;
            long n = 0;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                n = n * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || n > 255) {
                return -1;
            }
            value = (value << 8) | n;
            part++;
            if (part < 4) {
                if (i >= s.length() || s.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == s.length() ? value : -1;
    }

    /** An IPv4 or IPv6 literal; throws IllegalArgumentException for anything else (no lookup). */
    static InetAddress parse(String s) {
        long v4 = v4(s);
        try {
            if (v4 >= 0) {
                return InetAddress.getByAddress(new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16),
                        (byte) (v4 >>> 8), (byte) v4});
            }
            if (s.indexOf(':') >= 0 && isV6Chars(s)) {
                // A string of hex digits, colons and dots is parsed as a literal by the JDK,
                // never looked up.
                return InetAddress.getByName(s);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + s, e);
        }
        throw new IllegalArgumentException("not an IP address: " + s);
    }

    private static boolean isV6Chars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'
                    || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
