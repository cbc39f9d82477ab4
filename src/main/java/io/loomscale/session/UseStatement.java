package io.loomscale.session;

import io.loomscale.protocol.Packets;

import java.nio.charset.StandardCharsets;

/**
 * Finds the database of {@code USE db} (plain or back-quoted, comments and a trailing semicolon
 * allowed), so the session can check the account's grants before the statement reaches a server,
 * as for COM_INIT_DB. Anything else, or anything it does not understand, gives null and is left to
 * the servers, which check grants themselves. {@link #mayBeUse} costs a few byte tests and sends
 * no other statement (UPDATE included) off the fast path.
 */
final class UseStatement {
    private UseStatement() {
    }

    /**
     * Cheap pre-check: could this COM_QUERY be a USE? True for {@code USE} followed by a space,
     * a back-quote or a comment, and for anything starting with a comment; false for UPDATE and
     * every other statement, which keep the fast path.
     */
    static boolean mayBeUse(byte[] packet) {
        int i = Packets.HEADER + 1;
        while (i < packet.length && Character.isWhitespace(packet[i])) {
            i++;
        }
        if (i >= packet.length) {
            return false;
        }
        byte c = packet[i];
        if (c == '/' || c == '#' || c == '-') {
            return true;
        }
        if (i + 3 >= packet.length || (c | 0x20) != 'u' || (packet[i + 1] | 0x20) != 's' || (packet[i + 2] | 0x20) != 'e') {
            return false;
        }
        byte n = packet[i + 3];
        return Character.isWhitespace(n) || n == '`' || n == '/';
    }

    /** The database a COM_QUERY packet {@code USE}s, or null. */
    static String database(byte[] packet) {
        if (packet.length > 512 || !mayBeUse(packet)) {
            return null;
        }
        String sql = new String(packet, Packets.HEADER + 1, packet.length - Packets.HEADER - 1, StandardCharsets.UTF_8);
        int i = skip(sql, 0);
        if (!sql.regionMatches(true, i, "USE", 0, 3) || i + 3 >= sql.length()
                || !(Character.isWhitespace(sql.charAt(i + 3)) || sql.charAt(i + 3) == '`' || sql.charAt(i + 3) == '/')) {
            return null;
        }
        i = skip(sql, i + 3);
        String db;
        if (i < sql.length() && sql.charAt(i) == '`') {
            StringBuilder sb = new StringBuilder();
            int j = i + 1;
            while (true) {
                if (j >= sql.length()) {
                    return null;
                }
                char c = sql.charAt(j);
                if (c == '`') {
                    if (j + 1 < sql.length() && sql.charAt(j + 1) == '`') {
                        sb.append('`');
                        j += 2;
                        continue;
                    }
                    break;
                }
                sb.append(c);
                j++;
            }
            db = sb.toString();
            i = j + 1;
        } else {
            int start = i;
            while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_'
                    || sql.charAt(i) == '$')) {
                i++;
            }
            db = sql.substring(start, i);
        }
        i = skip(sql, i);
        while (i < sql.length() && sql.charAt(i) == ';') {
            i = skip(sql, i + 1);
        }
        return db.isEmpty() || i != sql.length() ? null : db;
    }

    /** Skips whitespace and comments from {@code i}. */
    private static int skip(String sql, int i) {
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*' && (i + 2 >= n || sql.charAt(i + 2) != '!')) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '#' || (c == '-' && i + 2 < n && sql.charAt(i + 1) == '-'
                    && Character.isWhitespace(sql.charAt(i + 2)))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else {
                break;
            }
        }
        return i;
    }
}
