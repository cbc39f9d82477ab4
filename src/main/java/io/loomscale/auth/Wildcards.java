package io.loomscale.auth;

/**
 * MariaDB's SQL wildcard patterns as used in the grant tables: {@code %} matches any run of
 * characters, {@code _} exactly one, and a backslash makes the next character literal. The host
 * column and the db column of {@code mysql.db} both use them.
 *
 * <p>Also computes the "sort value" the server uses to order accounts from most to least specific
 * (a literal string sorts before any pattern; a pattern sorts by how late its first {@code %}
 * comes). Stateless.
 *
 * @see <a href="https://mariadb.com/kb/en/create-user/#host-name-component">MariaDB: host name component</a>
 */
final class Wildcards {
    static final char MANY = '%';
    static final char ONE = '_';
    static final char ESCAPE = '\\';

    /** Sort value of a string that has characters and no wildcard. */
    static final int LITERAL = 128;

    private Wildcards() {
    }

    /** True when {@code pattern} holds an unescaped {@code %} or {@code _}. */
    static boolean hasWildcard(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == ESCAPE && i + 1 < pattern.length()) {
                i++;
            } else if (c == MANY || c == ONE) {
                return true;
            }
        }
        return false;
    }

    /**
     * Matches {@code text} against {@code pattern}.
     *
     * @param ignoreCase ASCII case-insensitive comparison (the server compares host names this
     *                   way, and IP strings and database names case-sensitively)
     */
    static boolean matches(String text, String pattern, boolean ignoreCase) {
        // Iterative glob with one backtrack point: the position after the last '%'. Enough for
        // '%' because a later '%' can always absorb what an earlier one would have.
        int t = 0;
        int p = 0;
        int starP = -1;
        int starT = -1;
        while (t < text.length()) {
            if (p < pattern.length()) {
                char pc = pattern.charAt(p);
                if (pc == MANY) {
                    starP = ++p;
                    starT = t;
                    continue;
                }
                if (pc == ONE) {
                    p++;
                    t++;
                    continue;
                }
                if (pc == ESCAPE && p + 1 < pattern.length()) {
                    pc = pattern.charAt(p + 1);
                    if (same(pc, text.charAt(t), ignoreCase)) {
                        p += 2;
                        t++;
                        continue;
                    }
                } else if (same(pc, text.charAt(t), ignoreCase)) {
                    p++;
                    t++;
                    continue;
                }
            }
            if (starP < 0) {
                return false;
            }
            p = starP;
            t = ++starT;
        }
        while (p < pattern.length() && pattern.charAt(p) == MANY) {
            p++;
        }
        return p == pattern.length();
    }

    /** Makes {@code literal} a pattern that matches only itself. */
    static String escape(String literal) {
        StringBuilder sb = null;
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (c == MANY || c == ONE || c == ESCAPE) {
                if (sb == null) {
                    sb = new StringBuilder(literal.length() + 4).append(literal, 0, i);
                }
                sb.append(ESCAPE);
            }
            if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? literal : sb.toString();
    }

    /**
     * The server's specificity of one grant-table string: 0 for the empty string, {@link #LITERAL}
     * for a literal, otherwise the 1-based position of the wildcard that decides (the first
     * {@code %}, or the last {@code _} before it), at most 127. Higher is more specific.
     */
    static int sortValue(String s) {
        int wildPos = 0;
        boolean chars = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ESCAPE && i + 1 < s.length()) {
                i++;
            } else if (c == MANY || c == ONE) {
                wildPos = i + 1;
                if (c == MANY) {
                    break;
                }
            }
            chars = true;
        }
        if (wildPos > 0) {
            return Math.min(wildPos, 127);
        }
        return chars ? LITERAL : 0;
    }

    private static boolean same(char a, char b, boolean ignoreCase) {
        if (a == b) {
            return true;
        }
        return ignoreCase && lower(a) == lower(b);
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
