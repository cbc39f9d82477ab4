package io.loomscale.auth;

/**
 * The host part of a MariaDB account ({@code 'user'@'HOST'}), parsed once and matched against
 * clients. Immutable and thread-safe.
 *
 * <p>Forms, as the server reads them:
 * <ul>
 * <li>{@code %} (or an empty host, which the server treats as {@code %}): any client;</li>
 * <li>a pattern with {@code %}/{@code _} wildcards ({@code 192.168.%}, {@code %.example.com}):
 *     matched against the client's IP text (case-sensitively) and against its host name
 *     (ignoring case). Name patterns need a name, and {@link ClientHost} does no DNS lookup
 *     (at most it names loopback clients {@code localhost});</li>
 * <li>{@code IP/NETMASK} with two dotted IPv4 values ({@code 10.0.0.0/255.255.255.0}): the client
 *     matches when {@code client & mask == IP}. A CIDR suffix ({@code /24}) is not a netmask to
 *     MariaDB 10.11 and matches nothing;</li>
 * <li>a literal IP or name: equality (IPv6 in the server's compressed form, e.g. {@code ::1}).</li>
 * </ul>
 *
 * <p>{@link #specificity()} is the server's sort value: accounts are tried from the most specific
 * host to the least (literal names and IPs, with or without netmask, first; {@code %} last).
 *
 * @see <a href="https://mariadb.com/kb/en/create-user/#host-name-component">MariaDB: host name component</a>
 */
public final class HostPattern {
    private final String text;
    private final boolean anyHost;
    private final long netIp;
    private final long mask;
    private final int specificity;

    private HostPattern(String text, boolean anyHost, long netIp, long mask, int specificity) {
        this.text = text;
        this.anyHost = anyHost;
        this.netIp = netIp;
        this.mask = mask;
        this.specificity = specificity;
    }

    /** Parses the host column of {@code mysql.user}; never fails (unusable forms match nothing). */
    public static HostPattern parse(String host) {
        String h = host == null || host.isEmpty() ? "%" : host;
        long ip = -1;
        long mask = -1;
        int slash = h.indexOf('/');
        if (slash > 0) {
            ip = IpLiteral.v4(h.substring(0, slash));
            mask = IpLiteral.v4(h.substring(slash + 1));
            if (ip < 0 || mask < 0) {
                ip = -1;
                mask = -1;
            }
        }
        return new HostPattern(h, "%".equals(h), ip, mask, Wildcards.sortValue(h));
    }

    /** True when {@code client} is covered by this host. */
    public boolean matches(ClientHost client) {
        if (mask >= 0 && client.address().getAddress().length == 4) {
            return (IpLiteral.v4(client.ip()) & mask) == netIp;
        }
        if (anyHost) {
            return true;
        }
        if (client.name() != null && Wildcards.matches(client.name(), text, true)) {
            return true;
        }
        return Wildcards.matches(client.ip(), text, false);
    }

    /** True for {@code %} (and the empty host): any client at all. */
    public boolean isAnyHost() {
        return anyHost;
    }

    /** True for the {@code IP/NETMASK} form. */
    public boolean isNetmask() {
        return mask >= 0;
    }

    /** The server's sort value (higher is tried first): 128 for a literal, else the position of its decisive wildcard. */
    public int specificity() {
        return specificity;
    }

    /** The host as the server prints it in {@code 'user'@'HOST'} ({@code %} for an empty host). */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostPattern p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
