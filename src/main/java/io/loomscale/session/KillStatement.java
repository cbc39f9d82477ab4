package io.loomscale.session;

import io.loomscale.protocol.Packets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Recognises {@code KILL [HARD|SOFT] [CONNECTION|QUERY] <id>}, whose id is a proxy connection id
 * the proxy must translate. Other KILL forms ({@code KILL QUERY ID n}, {@code KILL USER u}) are
 * left to the server. Costs one byte test for every statement that does not start with K.
 *
 * @param queryOnly KILL QUERY rather than KILL CONNECTION
 */
record KillStatement(long id, boolean queryOnly) {

    /** Cheap pre-check: could this COM_QUERY be a KILL (first non-space byte K, k or a comment)? */
    static boolean mayBeKill(byte[] packet) {
        int i = Packets.HEADER + 1;
        while (i < packet.length && Character.isWhitespace(packet[i])) {
            i++;
        }
        return i < packet.length && (packet[i] == 'k' || packet[i] == 'K' || packet[i] == '/' || packet[i] == '#'
                || packet[i] == '-');
    }

    static KillStatement parse(byte[] packet) {
        if (!mayBeKill(packet)) {
            return null;
        }
        if (packet.length > 512) {
            return null;
        }
        String sql = new String(packet, Packets.HEADER + 1, packet.length - Packets.HEADER - 1, StandardCharsets.UTF_8);
        List<String> words = words(sql);
        if (words.isEmpty() || !words.get(0).equals("KILL")) {
            return null;
        }
        int w = 1;
        if (w < words.size() && (words.get(w).equals("HARD") || words.get(w).equals("SOFT"))) {
            w++;
        }
        boolean query = false;
        if (w < words.size() && words.get(w).equals("QUERY")) {
            query = true;
            w++;
        } else if (w < words.size() && words.get(w).equals("CONNECTION")) {
            w++;
        }
        if (w != words.size() - 1) {
            return null;
        }
        try {
            return new KillStatement(Long.parseLong(words.get(w)), query);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Upper-cased words, comments and a trailing semicolon dropped. */
    private static List<String> words(String sql) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == ';') {
                i++;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '#' || (c == '-' && i + 2 < n && sql.charAt(i + 1) == '-' && Character.isWhitespace(sql.charAt(i + 2)))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(sql.charAt(i)) && sql.charAt(i) != ';' && sql.charAt(i) != '/'
                        && sql.charAt(i) != '#') {
                    i++;
                }
                if (i == start) {
                    return List.of(); // something we do not understand
                }
                out.add(sql.substring(start, i).toUpperCase(Locale.ROOT));
            }
        }
        return out;
    }
}
