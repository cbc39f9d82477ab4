package io.loomscale.classifier;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * MariaDB's built-in function names and keywords (the resource {@code known-words.txt}): the
 * words that may stand before {@code (} in a read without calling a stored function. Looked up
 * case-insensitively in a region of the statement, without allocating (open addressing over
 * upper-case ASCII hashes).
 */
final class KnownWords {
    private static final String[] TABLE = load();

    private KnownWords() {
    }

    /** Whether {@code s[start, end)} is a known word, in any letter case. */
    static boolean contains(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c > 127) {
                return false; // the list is ASCII
            }
            h = 31 * h + upper(c);
        }
        int mask = TABLE.length - 1;
        for (int slot = mix(h) & mask; TABLE[slot] != null; slot = (slot + 1) & mask) {
            String w = TABLE[slot];
            if (w.length() == end - start && sameUpper(w, s, start)) {
                return true;
            }
        }
        return false;
    }

    static int size() {
        int n = 0;
        for (String w : TABLE) {
            n += w == null ? 0 : 1;
        }
        return n;
    }

    private static boolean sameUpper(String w, CharSequence s, int start) {
        for (int i = 0; i < w.length(); i++) {
            if (w.charAt(i) != upper(s.charAt(start + i))) {
                return false;
            }
        }
        return true;
    }

    private static char upper(char c) {
        return c >= 'a' && c <= 'z' ? (char) (c - 32) : c;
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    private static String[] load() {
        List<String> words = new ArrayList<>();
        try (InputStream in = KnownWords.class.getResourceAsStream("known-words.txt")) {
            if (in == null) {
                throw new IllegalStateException("resource io/loomscale/classifier/known-words.txt is missing from the jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    words.add(line.toUpperCase(java.util.Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] table = new String[Integer.highestOneBit(words.size() * 4 - 1) * 2];
        int mask = table.length - 1;
        for (String w : words) {
            int slot = mix(w.hashCode()) & mask; // String.hashCode of upper-case ASCII is the hash contains() computes
            while (table[slot] != null && !table[slot].equals(w)) {
                slot = (slot + 1) & mask;
            }
            table[slot] = w;
        }
        return table;
    }
}
