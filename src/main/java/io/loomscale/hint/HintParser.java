package io.loomscale.hint;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the MaxScale hint comments of a statement and reads each into an {@link Action}. A hint
 * comment is a {@code -- } (dash, dash, whitespace), {@code #} or {@code /* *}{@code /} comment whose
 * text starts with the word {@code maxscale} (any case); text in strings and quoted names, and
 * MariaDB executable comments ({@code /*! *}{@code /}, which are SQL), are not comments; nor is an
 * unterminated {@code /*}, a syntax error on the server. Every hint comment of the statement is
 * read, in order: MaxScale's documentation says only a statement's first comment is processed, so
 * this differs only for a statement with a hint comment after another comment, which MaxScale
 * would ignore. A malformed body gives no action. Stateless.
 *
 * <p>Bodies, after {@code maxscale}:
 * <pre>
 *   route to master | slave | last | server NAME    a hint for this statement
 *   PARAM=VALUE                                      a parameter hint for this statement
 *   NAME prepare CONTENT                             define the named hint NAME
 *   NAME begin [CONTENT]                             (define and) push the named hint NAME
 *   begin CONTENT                                    push an anonymous hint
 *   end                                              pop the top hint
 * </pre>
 * where CONTENT is a route or a parameter.
 */
final class HintParser {
    private static final String TAG = "maxscale";

    enum Kind { SINGLE, DEFINE, PUSH_NAMED, DEFINE_AND_PUSH, PUSH, POP }

    /** One thing a hint comment asks: {@code name} for named hints, {@code hint} for content. */
    record Action(Kind kind, String name, Hint hint) {
    }

    private HintParser() {
    }

    /** Whether {@code sql} contains "maxscale" in any case: the cheap test before any parsing. Allocation-free. */
    static boolean mentionsTag(CharSequence sql) {
        int n = sql.length() - TAG.length();
        outer:
        for (int i = 0; i <= n; i++) {
            char c = sql.charAt(i);
            if (c != 'm' && c != 'M') {
                continue;
            }
            for (int j = 1; j < TAG.length(); j++) {
                if (Character.toLowerCase(sql.charAt(i + j)) != TAG.charAt(j)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The actions of all hint comments of {@code sql}, in order. */
    static List<Action> parse(CharSequence sql) {
        List<Action> out = new ArrayList<>(2);
        int n = sql.length();
        int p = 0;
        while (p < n) {
            char c = sql.charAt(p);
            if (c == '\'' || c == '"' || c == '`') {
                p = skipQuoted(sql, p, c);
            } else if (c == '/' && p + 1 < n && sql.charAt(p + 1) == '*') {
                if (p + 2 < n && (sql.charAt(p + 2) == '!' || (sql.charAt(p + 2) == 'M' && p + 3 < n
                        && sql.charAt(p + 3) == '!'))) {
                    p += 3; // executable comment: its text is SQL, read on
                } else {
                    int e = indexOf(sql, "*/", p + 2);
                    if (e < 0) {
                        break; // unterminated: a syntax error on the server, no hint
                    }
                    body(sql, p + 2, e, out);
                    p = e + 2;
                }
            } else if (c == '#' || (c == '-' && p + 2 < n && sql.charAt(p + 1) == '-'
                    && Character.isWhitespace(sql.charAt(p + 2)))) {
                int e = indexOf(sql, "\n", p);
                int end = e < 0 ? n : e;
                body(sql, c == '#' ? p + 1 : p + 2, end, out);
                p = e < 0 ? n : e + 1;
            } else {
                p++;
            }
        }
        return out;
    }

    private static void body(CharSequence sql, int from, int to, List<Action> out) {
        List<String> t = tokens(sql, from, to);
        if (t.size() < 2 || !t.get(0).equalsIgnoreCase(TAG)) {
            return; // an ordinary comment, or "maxscale" alone
        }
        Action a = action(t.subList(1, t.size()));
        if (a != null) {
            out.add(a);
        }
    }

    private static Action action(List<String> t) {
        String first = t.get(0);
        if (first.equalsIgnoreCase("end")) {
            return t.size() == 1 ? new Action(Kind.POP, null, null) : null;
        }
        if (first.equalsIgnoreCase("begin")) {
            Hint h = content(t, 1);
            return h == null ? null : new Action(Kind.PUSH, null, h);
        }
        Hint single = content(t, 0);
        if (single != null) {
            return new Action(Kind.SINGLE, null, single);
        }
        if (t.size() < 2 || first.equals("=")) {
            return null;
        }
        String verb = t.get(1);
        if (verb.equalsIgnoreCase("prepare")) {
            Hint h = content(t, 2);
            return h == null ? null : new Action(Kind.DEFINE, first, h);
        }
        if (verb.equalsIgnoreCase("begin")) {
            if (t.size() == 2) {
                return new Action(Kind.PUSH_NAMED, first, null);
            }
            Hint h = content(t, 2);
            return h == null ? null : new Action(Kind.DEFINE_AND_PUSH, first, h);
        }
        return null;
    }

    /** The hint of tokens {@code from..end}: a route or a parameter, using all of them; else null. */
    private static Hint content(List<String> t, int from) {
        int n = t.size() - from;
        if (n >= 3 && t.get(from).equalsIgnoreCase("route") && t.get(from + 1).equalsIgnoreCase("to")) {
            String target = t.get(from + 2);
            if (n == 3 && target.equalsIgnoreCase("master")) {
                return Hint.route(Hint.Type.ROUTE_TO_MASTER);
            }
            if (n == 3 && target.equalsIgnoreCase("slave")) {
                return Hint.route(Hint.Type.ROUTE_TO_SLAVE);
            }
            if (n == 3 && target.equalsIgnoreCase("last")) {
                return Hint.route(Hint.Type.ROUTE_TO_LAST_USED);
            }
            if (n == 4 && target.equalsIgnoreCase("server") && !t.get(from + 3).equals("=")) {
                return Hint.toServer(t.get(from + 3));
            }
            return null;
        }
        if (n == 3 && t.get(from + 1).equals("=") && !t.get(from).equals("=") && !t.get(from + 2).equals("=")) {
            return Hint.parameter(t.get(from).toLowerCase(Locale.ROOT), t.get(from + 2));
        }
        return null;
    }

    /** Words of {@code sql[from, to)} split at whitespace, with '=' a word of its own. */
    private static List<String> tokens(CharSequence sql, int from, int to) {
        List<String> out = new ArrayList<>(6);
        int p = from;
        while (p < to) {
            char c = sql.charAt(p);
            if (Character.isWhitespace(c)) {
                p++;
            } else if (c == '=') {
                out.add("=");
                p++;
            } else {
                int s = p;
                while (p < to && !Character.isWhitespace(sql.charAt(p)) && sql.charAt(p) != '=') {
                    p++;
                }
                out.add(sql.subSequence(s, p).toString());
            }
        }
        return out;
    }

    private static int skipQuoted(CharSequence s, int p, char q) {
        int n = s.length();
        p++;
        while (p < n) {
            char c = s.charAt(p);
            if (c == '\\' && q != '`') {
                p += 2;
            } else if (c == q) {
                if (p + 1 < n && s.charAt(p + 1) == q) {
                    p += 2;
                } else {
                    return p + 1;
                }
            } else {
                p++;
            }
        }
        return n;
    }

    private static int indexOf(CharSequence s, String what, int from) {
        outer:
        for (int i = from; i <= s.length() - what.length(); i++) {
            for (int j = 0; j < what.length(); j++) {
                if (s.charAt(i + j) != what.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
