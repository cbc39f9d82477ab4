package io.loomscale.router.readwritesplit;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of the SQL-level prepared statement commands the router needs: the statement name
 * and, for {@code PREPARE name FROM 'text'}, the text (to classify what a later
 * {@code EXECUTE name} does). Names are case-insensitive in MariaDB, so they are lower-cased.
 * These statements are rare, so plain regular expressions are cheap enough.
 */
final class TextPrepare {
    private static final String NAME = "(`(?:[^`]|``)+`|[\\p{L}\\p{N}_$]+)";
    private static final Pattern PREPARE = Pattern.compile("(?is)^\\s*PREPARE\\s+" + NAME + "\\s+FROM\\s+(.*?)\\s*;?\\s*$");
    private static final Pattern EXECUTE = Pattern.compile("(?is)^\\s*EXECUTE\\s+" + NAME + "(?:\\s|;|$).*");
    private static final Pattern IMMEDIATE = Pattern.compile("(?is)^\\s*EXECUTE\\s+IMMEDIATE\\s+(.*?)\\s*;?\\s*$");
    private static final Pattern DEALLOCATE = Pattern.compile("(?is)^\\s*(?:DEALLOCATE|DROP)\\s+PREPARE\\s+" + NAME + ".*");

    /** {@code name} and the statement text, null when the text is not a string literal (FROM @var). */
    record Prepare(String name, String text) {
    }

    private TextPrepare() {
    }

    static Prepare prepare(String sql) {
        Matcher m = PREPARE.matcher(sql);
        if (!m.matches()) {
            return null;
        }
        return new Prepare(name(m.group(1)), unquote(m.group(2)));
    }

    /** The statement name of {@code EXECUTE name [USING ...]}, null otherwise (also for EXECUTE IMMEDIATE). */
    static String executed(String sql) {
        if (IMMEDIATE.matcher(sql).matches()) {
            return null;
        }
        Matcher m = EXECUTE.matcher(sql);
        return m.matches() ? name(m.group(1)) : null;
    }

    /** The text of {@code EXECUTE IMMEDIATE 'text'}, null otherwise (or when it is not a literal). */
    static String immediate(String sql) {
        Matcher m = IMMEDIATE.matcher(sql);
        return m.matches() ? unquote(m.group(1)) : null;
    }

    static String deallocated(String sql) {
        Matcher m = DEALLOCATE.matcher(sql);
        return m.matches() ? name(m.group(1)) : null;
    }

    private static String name(String raw) {
        String n = raw.startsWith("`") ? raw.substring(1, raw.length() - 1).replace("``", "`") : raw;
        return n.toLowerCase(Locale.ROOT);
    }

    /** The value of a '...' or "..." literal, or null if {@code s} is not exactly one literal. */
    static String unquote(String s) {
        if (s.length() < 2) {
            return null;
        }
        char q = s.charAt(0);
        if ((q != '\'' && q != '"') || s.charAt(s.length() - 1) != q) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() - 1) {
                char n = s.charAt(++i);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case '0' -> '\0';
                    default -> n;
                });
            } else if (c == q) {
                if (i + 1 < s.length() - 1 && s.charAt(i + 1) == q) {
                    sb.append(q);
                    i++;
                } else {
                    return null; // two literals, or a concatenation: not one known text
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
