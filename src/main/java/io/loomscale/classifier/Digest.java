package io.loomscale.classifier;

import io.loomscale.classifier.Lexer.Kind;

/**
 * The digest of a statement: its canonical text, so that statements differing only in literals,
 * comments and spacing share it. Comments are removed (the contents of executable comments
 * {@code /*! ... *}{@code /} and {@code /*M! ... *}{@code /} are kept, as the server runs them);
 * literals (strings, numbers, hex and bit values, {@code x'..'}, {@code _charset'..'}) become
 * {@code ?}; {@code NULL}, keywords and identifiers stay as written; a run of whitespace or comments
 * between two tokens becomes one space. {@code SELECT c FROM t WHERE id = 5 -- x} and
 * {@code SELECT  c FROM t WHERE id = 10} both have the digest {@code SELECT c FROM t WHERE id = ?}.
 *
 * <p>{@link #hash} and {@link #matches} walk the same canonical form without building it, so a
 * cache keyed by digest costs no allocation on a hit. Stateless and thread-safe.
 */
public final class Digest {
    private static final int BUILD = 0;
    private static final int HASH = 1;
    private static final int MATCH = 2;

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Digest() {
    }

    /** The canonical text of {@code sql}. */
    public static String of(CharSequence sql) {
        StringBuilder b = new StringBuilder(Math.min(sql.length(), 4096));
        walk(sql, BUILD, b, null, true, false);
        return b.toString();
    }

    /**
     * A 64-bit hash of {@link #of}{@code (sql)}, computed without building it: equal digests have equal
     * hashes. Allocation-free but for the lexer.
     */
    public static long hash(CharSequence sql) {
        return mix(walk(sql, HASH, null, null, true, false));
    }

    /** Whether {@link #of}{@code (sql)} equals {@code digest}, decided without building it. */
    public static boolean matches(CharSequence sql, String digest) {
        return walk(sql, MATCH, null, digest, true, false) == digest.length();
    }

    /**
     * The first statement of {@code sql} with comments removed and executable comments unwrapped,
     * literals kept: what a parser that knows no executable comments should read.
     */
    static String firstStatementForParser(CharSequence sql) {
        StringBuilder b = new StringBuilder(sql.length());
        walk(sql, BUILD, b, null, false, true);
        return b.toString();
    }

    /**
     * Walks the canonical tokens of {@code sql} into one sink: a builder, a running hash, or a
     * comparison against {@code expected}. Returns the hash, or for a match the number of characters
     * matched (-1 on a mismatch).
     */
    private static long walk(CharSequence sql, int mode, StringBuilder b, String expected, boolean replaceLiterals,
            boolean stopAtSemicolon) {
        Lexer lx = new Lexer(sql);
        long st = mode == HASH ? FNV_OFFSET : 0;
        int prevEnd = -1;
        while (lx.next() != Kind.END) {
            if (stopAtSemicolon && lx.isSymbol(';')) {
                break;
            }
            if (prevEnd >= 0 && lx.start > prevEnd) {
                st = feed(mode, st, b, expected, " ", 0, 1);
                if (st < 0 && mode == MATCH) {
                    return -1;
                }
            }
            int s = lx.start;
            boolean literal;
            if (lx.kind == Kind.WORD && isLiteralPrefix(lx) && lx.charAt(lx.end) == '\'') {
                lx.next(); // x'1F', b'01', N'abc', _utf8mb4'abc': one literal
                literal = true;
            } else {
                literal = lx.kind == Kind.STRING || (lx.kind == Kind.NUMBER && isNumber(sql, s, lx.end));
            }
            if (literal && replaceLiterals) {
                st = feed(mode, st, b, expected, "?", 0, 1);
            } else {
                st = feed(mode, st, b, expected, sql, s, lx.end);
            }
            if (st < 0 && mode == MATCH) {
                return -1;
            }
            prevEnd = lx.end;
        }
        return st;
    }

    private static long feed(int mode, long st, StringBuilder b, String expected, CharSequence src, int from, int to) {
        switch (mode) {
            case BUILD -> {
                b.append(src, from, to);
                return st;
            }
            case HASH -> {
                long h = st;
                for (int i = from; i < to; i++) {
                    h = (h ^ src.charAt(i)) * FNV_PRIME;
                }
                return h;
            }
            default -> {
                int p = (int) st;
                if (p + (to - from) > expected.length()) {
                    return -1;
                }
                for (int i = from; i < to; i++) {
                    if (expected.charAt(p++) != src.charAt(i)) {
                        return -1;
                    }
                }
                return p;
            }
        }
    }

    private static boolean isLiteralPrefix(Lexer lx) {
        if (lx.end - lx.start == 1) {
            char c = Character.toLowerCase(lx.charAt(lx.start));
            return c == 'x' || c == 'b' || c == 'n';
        }
        return lx.charAt(lx.start) == '_'; // a character set introducer
    }

    /** Whether a token the lexer read as a number is one, rather than an identifier such as 1tmp. */
    private static boolean isNumber(CharSequence s, int from, int to) {
        if (to - from > 2 && s.charAt(from) == '0') {
            char x = s.charAt(from + 1);
            if (x == 'x' || x == 'X') {
                return allOf(s, from + 2, to, "0123456789abcdefABCDEF");
            }
            if (x == 'b' || x == 'B') {
                return allOf(s, from + 2, to, "01");
            }
        }
        int i = from;
        boolean digits = false;
        while (i < to && Character.isDigit(s.charAt(i))) {
            i++;
            digits = true;
        }
        if (i < to && s.charAt(i) == '.') {
            i++;
            while (i < to && Character.isDigit(s.charAt(i))) {
                i++;
                digits = true;
            }
        }
        if (digits && i < to && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < to && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exp = i;
            while (i < to && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == exp) {
                return false;
            }
        }
        return digits && i == to;
    }

    private static boolean allOf(CharSequence s, int from, int to, String chars) {
        for (int i = from; i < to; i++) {
            if (chars.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Spreads the FNV state over all bits (MurmurHash3's finalizer): caches index by the low bits. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9a34ec5fe53L;
        h ^= h >>> 33;
        return h;
    }
}
