package io.loomscale.filter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Statement text as the cache, masking and firewall filters read it: tokens, the identifier
 * words of a SELECT (the tables it may read, over-approximated by every identifier) and the
 * tables a write changes. Cheap lexing, no parse:
 * string literals and comments are skipped ({@code /*!...*}{@code /} executable comments are
 * read as code); an answer can only be too wide, never too narrow, and a write it cannot read
 * returns null, which empties the cache. Stateless.
 */
public final class SqlWords {
    private SqlWords() {
    }

    public record Token(String text, boolean quoted, boolean word) {
        public boolean is(String kw) {
            return word && !quoted && text.equalsIgnoreCase(kw);
        }
    }

    private static final Set<String> JOIN_WORDS = Set.of("LOW_PRIORITY", "IGNORE", "QUICK", "JOIN", "INNER", "LEFT",
            "RIGHT", "OUTER", "CROSS", "STRAIGHT_JOIN", "NATURAL", "ON", "AS", "USING", "AND", "OR", "NOT", "FROM", "IS",
            "NULL", "IN");

    public static List<Token> tokens(String sql) {
        List<Token> out = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || (c == '-' && i + 2 < n && sql.charAt(i + 1) == '-' && Character.isWhitespace(sql.charAt(i + 2)))
                    || (c == '-' && i + 2 == n && sql.charAt(i + 1) == '-')) {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                if (i + 2 < n && sql.charAt(i + 2) == '!') {
                    i += 3;
                    while (i < n && Character.isDigit(sql.charAt(i))) {
                        i++;
                    }
                } else {
                    int end = sql.indexOf("*/", i + 2);
                    i = end < 0 ? n : end + 2;
                }
            } else if (c == '*' && i + 1 < n && sql.charAt(i + 1) == '/') {
                i += 2; // end of an executable comment
            } else if (c == '\'' || c == '"') {
                i = skipString(sql, i, c);
            } else if (c == '`') {
                int end = i + 1;
                StringBuilder sb = new StringBuilder();
                while (end < n) {
                    char d = sql.charAt(end);
                    if (d == '`') {
                        if (end + 1 < n && sql.charAt(end + 1) == '`') {
                            sb.append('`');
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    sb.append(d);
                    end++;
                }
                out.add(new Token(sb.toString(), true, true));
                i = end + 1;
            } else if (Character.isLetter(c) || c == '_' || c == '$') {
                int end = i + 1;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_' || sql.charAt(end) == '$')) {
                    end++;
                }
                out.add(new Token(sql.substring(i, end), false, true));
                i = end;
            } else if (Character.isDigit(c)) {
                int end = i + 1;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_' || sql.charAt(end) == '.')) {
                    end++;
                }
                i = end;
            } else {
                out.add(new Token(String.valueOf(c), false, false));
                i++;
            }
        }
        return out;
    }

    private static int skipString(String sql, int i, char q) {
        int n = sql.length();
        int j = i + 1;
        while (j < n) {
            char d = sql.charAt(j);
            if (d == '\\') {
                j += 2;
            } else if (d == q) {
                if (j + 1 < n && sql.charAt(j + 1) == q) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        return n;
    }

    /** Every identifier word, lower case (the names a SELECT may read from, and more). */
    public static Set<String> identifiers(String sql) {
        Set<String> out = new HashSet<>();
        for (Token t : tokens(sql)) {
            if (t.word()) {
                out.add(t.text().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** The tables a write changes, lower case, or null when that cannot be told from the text. */
    public static Set<String> writtenTables(String sql) {
        List<Token> t = tokens(sql);
        if (t.isEmpty() || !t.get(0).word()) {
            return null;
        }
        for (Token x : t) {
            if (x.text().equals(";")) {
                return null; // several statements: anything may change
            }
        }
        Set<String> out = new HashSet<>();
        Token first = t.get(0);
        int i = 1;
        if (first.is("INSERT") || first.is("REPLACE")) {
            while (i < t.size() && (t.get(i).is("LOW_PRIORITY") || t.get(i).is("DELAYED") || t.get(i).is("HIGH_PRIORITY")
                    || t.get(i).is("IGNORE") || t.get(i).is("INTO"))) {
                i++;
            }
            return name(t, i, out) ? out : null;
        }
        if (first.is("TRUNCATE")) {
            if (i < t.size() && t.get(i).is("TABLE")) {
                i++;
            }
            return name(t, i, out) ? out : null;
        }
        if (first.is("UPDATE") || first.is("DELETE")) {
            boolean update = first.is("UPDATE");
            for (; i < t.size(); i++) {
                Token x = t.get(i);
                if (update ? x.is("SET") : x.is("WHERE") || x.is("ORDER") || x.is("LIMIT") || x.is("RETURNING")) {
                    return out.isEmpty() ? null : out;
                }
                if (x.word() && (x.quoted() || !JOIN_WORDS.contains(x.text().toUpperCase(Locale.ROOT)))) {
                    out.add(x.text().toLowerCase(Locale.ROOT));
                }
            }
            return update || out.isEmpty() ? null : out;
        }
        return null;
    }

    /** Reads {@code [db.]name} at {@code i} into {@code out} (both parts: too wide is safe). */
    private static boolean name(List<Token> t, int i, Set<String> out) {
        if (i >= t.size() || !t.get(i).word()) {
            return false;
        }
        out.add(t.get(i).text().toLowerCase(Locale.ROOT));
        if (i + 2 < t.size() && t.get(i + 1).text().equals(".") && t.get(i + 2).word()) {
            out.add(t.get(i + 2).text().toLowerCase(Locale.ROOT));
        }
        return true;
    }
}
