package io.loomscale.protocol;

import java.util.Map;
import java.util.TreeMap;

/**
 * A MariaDB GTID position: one {@code domain-server-sequence} triple per replication domain, as
 * in {@code @@last_gtid} or {@code @@gtid_binlog_pos} ({@code "0-1-42,1-1-7"}). Immutable.
 */
public record Gtid(Map<Long, Gtid.Pos> domains) {
    /** The server id and sequence number of a domain's last transaction. */
    public record Pos(long server, long sequence) {
    }

    public static final Gtid EMPTY = new Gtid(Map.of());

    /** Parses a position; malformed parts are skipped ("" gives {@link #EMPTY}). */
    public static Gtid parse(String text) {
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        TreeMap<Long, Pos> m = new TreeMap<>();
        for (String part : text.split(",")) {
            String[] f = part.trim().split("-");
            if (f.length != 3) {
                continue;
            }
            try {
                long domain = Long.parseLong(f[0]);
                long server = Long.parseLong(f[1]);
                long seq = Long.parseLong(f[2]);
                Pos cur = m.get(domain);
                if (cur == null || seq > cur.sequence()) {
                    m.put(domain, new Pos(server, seq));
                }
            } catch (NumberFormatException ignored) {
                // not a GTID part
            }
        }
        return m.isEmpty() ? EMPTY : new Gtid(m);
    }

    public boolean isEmpty() {
        return domains.isEmpty();
    }

    /** The sequence number of {@code domain}'s last transaction, 0 when the position has none. */
    public long sequence(long domain) {
        Pos p = domains.get(domain);
        return p == null ? 0 : p.sequence();
    }

    /**
     * Whether this position includes everything {@code other} names: in each of its domains this
     * one is at the same or a later sequence number. (MariaDB sequence numbers grow within a
     * domain, so this is how far a server has got; it cannot tell two servers' different
     * transactions with equal numbers apart.)
     */
    public boolean covers(Gtid other) {
        for (Map.Entry<Long, Pos> e : other.domains.entrySet()) {
            if (sequence(e.getKey()) < e.getValue().sequence()) {
                return false;
            }
        }
        return true;
    }

    /** Per domain, the later of the two positions. */
    public Gtid merge(Gtid other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        TreeMap<Long, Pos> m = new TreeMap<>(domains);
        for (Map.Entry<Long, Pos> e : other.domains.entrySet()) {
            Pos cur = m.get(e.getKey());
            if (cur == null || e.getValue().sequence() > cur.sequence()) {
                m.put(e.getKey(), e.getValue());
            }
        }
        return new Gtid(m);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Long, Pos> e : domains.entrySet()) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(e.getKey()).append('-').append(e.getValue().server()).append('-').append(e.getValue().sequence());
        }
        return sb.toString();
    }
}
