package io.loomscale.filter.dbfwfilter;

import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * dbfwfilter's rules file, in MaxScale's rule language, one definition per line ({@code #}
 * starts a comment):
 * <pre>
 * rule NAME deny|match wildcard|columns COL...|function FN...|regex 'RE'|limit_queries N SECONDS HOLDOFF|no_where_clause
 *      [on_queries select|insert|update|delete|...] [at_times HH:MM:SS-HH:MM:SS ...]
 * users USER@HOST ... match any|all|strict_all rules RULE ...
 * </pre>
 * ({@code deny} and {@code match} mean the same: what the rule describes; the filter's
 * {@code action} decides whether that is blocked or the only thing allowed.) User and host
 * patterns take {@code %} as a wildcard and may be quoted. A syntax error names the line.
 * Immutable.
 */
final class FirewallRules {
    static final class RulesException extends RuntimeException {
        RulesException(String message) {
            super(message);
        }
    }

    enum Kind { WILDCARD, COLUMNS, FUNCTION, REGEX, LIMIT_QUERIES, NO_WHERE_CLAUSE }

    record TimeRange(LocalTime from, LocalTime to) {
        boolean contains(LocalTime t) {
            return from.isAfter(to) ? !t.isBefore(from) || !t.isAfter(to) : !t.isBefore(from) && !t.isAfter(to);
        }
    }

    record Rule(String name, Kind kind, Set<String> names, Pattern regex, int limit, int seconds, int holdoff,
            Set<String> onQueries, List<TimeRange> times) {
        boolean activeAt(LocalTime t) {
            if (times.isEmpty()) {
                return true;
            }
            for (TimeRange r : times) {
                if (r.contains(t)) {
                    return true;
                }
            }
            return false;
        }
    }

    enum Mode { ANY, ALL, STRICT_ALL }

    record UserRules(Pattern user, Pattern host, String pattern, Mode mode, List<Rule> rules) {
    }

    private static final Set<String> OPERATIONS = Set.of("select", "insert", "update", "delete", "grant", "revoke",
            "drop", "create", "alter", "use", "load");

    private final List<UserRules> users;

    private FirewallRules(List<UserRules> users) {
        this.users = users;
    }

    List<UserRules> users() {
        return users;
    }

    /** The rule groups for a session of {@code user} from {@code host}, in file order. */
    List<UserRules> forSession(String user, String host) {
        List<UserRules> out = new ArrayList<>();
        for (UserRules u : users) {
            if (u.user().matcher(user).matches() && u.host().matcher(host).matches()) {
                out.add(u);
            }
        }
        return out;
    }

    static FirewallRules parse(String text) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        List<UserRules> users = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            int hash = commentStart(line);
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            List<String> w;
            try {
                w = words(line);
            } catch (RulesException e) {
                throw new RulesException("line " + (n + 1) + ": " + e.getMessage());
            }
            if (w.isEmpty()) {
                continue;
            }
            try {
                String first = w.get(0).toLowerCase(Locale.ROOT);
                if (first.equals("rule")) {
                    Rule r = rule(w);
                    if (rules.put(r.name(), r) != null) {
                        throw new RulesException("rule '" + r.name() + "' is defined twice");
                    }
                } else if (first.equals("users")) {
                    users.addAll(users(w, rules));
                } else {
                    throw new RulesException("unknown definition '" + w.get(0) + "' (expected: rule, users)");
                }
            } catch (RulesException e) {
                throw new RulesException("line " + (n + 1) + ": " + e.getMessage());
            }
        }
        if (users.isEmpty()) {
            throw new RulesException("no 'users' line: the rules would apply to nobody");
        }
        return new FirewallRules(List.copyOf(users));
    }

    private static int commentStart(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#') {
                return i;
            }
        }
        return -1;
    }

    /** Whitespace-separated words; a quoted word keeps its spaces (quotes removed, \\' kept as '). */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (j < line.length() && line.charAt(j) != c) {
                    if (line.charAt(j) == '\\' && j + 1 < line.length() && line.charAt(j + 1) == c) {
                        j++;
                    }
                    sb.append(line.charAt(j++));
                }
                if (j >= line.length()) {
                    throw new RulesException("unterminated quote " + c);
                }
                out.add(sb.toString());
                i = j + 1;
                // a quoted part glued to more text (as in 'bob'@'%') continues the word
                while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
                    int start = out.size() - 1;
                    char d = line.charAt(i);
                    if (d == '\'' || d == '"') {
                        int k = line.indexOf(d, i + 1);
                        if (k < 0) {
                            throw new RulesException("unterminated quote " + d);
                        }
                        out.set(start, out.get(start) + line.substring(i + 1, k));
                        i = k + 1;
                    } else {
                        out.set(start, out.get(start) + d);
                        i++;
                    }
                }
            } else {
                int j = i;
                StringBuilder sb = new StringBuilder();
                while (j < line.length() && !Character.isWhitespace(line.charAt(j))) {
                    char d = line.charAt(j);
                    if (d == '\'' || d == '"') {
                        int k = line.indexOf(d, j + 1);
                        if (k < 0) {
                            throw new RulesException("unterminated quote " + d);
                        }
                        sb.append(line, j + 1, k);
                        j = k + 1;
                    } else {
                        sb.append(d);
                        j++;
                    }
                }
                out.add(sb.toString());
                i = j;
            }
        }
        return out;
    }

    private static Rule rule(List<String> w) {
        if (w.size() < 4) {
            throw new RulesException("incomplete rule (expected: rule NAME deny|match TYPE ...)");
        }
        String name = w.get(1);
        String verb = w.get(2).toLowerCase(Locale.ROOT);
        if (!verb.equals("deny") && !verb.equals("match") && !verb.equals("allow")) {
            throw new RulesException("rule '" + name + "': expected deny or match, got '" + w.get(2) + "'");
        }
        String type = w.get(3).toLowerCase(Locale.ROOT);
        int i = 4;
        Kind kind;
        Set<String> names = Set.of();
        Pattern regex = null;
        int limit = 0;
        int seconds = 0;
        int holdoff = 0;
        switch (type) {
            case "wildcard" -> kind = Kind.WILDCARD;
            case "no_where_clause" -> kind = Kind.NO_WHERE_CLAUSE;
            case "columns", "function" -> {
                kind = type.equals("columns") ? Kind.COLUMNS : Kind.FUNCTION;
                java.util.HashSet<String> s = new java.util.HashSet<>();
                while (i < w.size() && !isOption(w.get(i))) {
                    s.add(w.get(i++).toLowerCase(Locale.ROOT));
                }
                if (s.isEmpty()) {
                    throw new RulesException("rule '" + name + "': '" + type + "' needs at least one name");
                }
                names = Set.copyOf(s);
            }
            case "regex" -> {
                kind = Kind.REGEX;
                if (i >= w.size()) {
                    throw new RulesException("rule '" + name + "': 'regex' needs a quoted regular expression");
                }
                try {
                    regex = Pattern.compile(w.get(i++));
                } catch (PatternSyntaxException e) {
                    throw new RulesException("rule '" + name + "': bad regular expression: " + e.getDescription());
                }
            }
            case "limit_queries" -> {
                kind = Kind.LIMIT_QUERIES;
                if (i + 3 > w.size()) {
                    throw new RulesException("rule '" + name + "': limit_queries needs QUERIES SECONDS HOLDOFF");
                }
                try {
                    limit = Integer.parseInt(w.get(i++));
                    seconds = Integer.parseInt(w.get(i++));
                    holdoff = Integer.parseInt(w.get(i++));
                } catch (NumberFormatException e) {
                    throw new RulesException("rule '" + name + "': limit_queries needs three integers");
                }
                if (limit < 1 || seconds < 1 || holdoff < 0) {
                    throw new RulesException("rule '" + name + "': limit_queries values out of range (QUERIES >= 1, SECONDS >= 1, HOLDOFF >= 0)");
                }
            }
            default -> throw new RulesException("rule '" + name + "': unknown type '" + w.get(3)
                    + "' (expected: wildcard, columns, function, regex, limit_queries, no_where_clause)");
        }
        Set<String> on = Set.of();
        List<TimeRange> times = new ArrayList<>();
        while (i < w.size()) {
            String opt = w.get(i++).toLowerCase(Locale.ROOT);
            if (opt.equals("on_queries")) {
                if (i >= w.size()) {
                    throw new RulesException("rule '" + name + "': on_queries needs operations");
                }
                java.util.HashSet<String> ops = new java.util.HashSet<>();
                for (String o : w.get(i++).toLowerCase(Locale.ROOT).split("\\|")) {
                    if (!OPERATIONS.contains(o)) {
                        throw new RulesException("rule '" + name + "': unknown operation '" + o + "' (expected: "
                                + String.join(", ", new java.util.TreeSet<>(OPERATIONS)) + ")");
                    }
                    ops.add(o);
                }
                on = Set.copyOf(ops);
            } else if (opt.equals("at_times")) {
                while (i < w.size() && !isOption(w.get(i))) {
                    times.add(range(name, w.get(i++)));
                }
                if (times.isEmpty()) {
                    throw new RulesException("rule '" + name + "': at_times needs HH:MM:SS-HH:MM:SS");
                }
            } else {
                throw new RulesException("rule '" + name + "': unexpected '" + w.get(i - 1) + "' (expected: on_queries, at_times)");
            }
        }
        return new Rule(name, kind, names, regex, limit, seconds, holdoff, on, List.copyOf(times));
    }

    private static boolean isOption(String s) {
        return s.equalsIgnoreCase("on_queries") || s.equalsIgnoreCase("at_times");
    }

    private static TimeRange range(String rule, String s) {
        String[] p = s.split("-");
        try {
            if (p.length != 2) {
                throw new IllegalArgumentException();
            }
            return new TimeRange(LocalTime.parse(p[0]), LocalTime.parse(p[1]));
        } catch (RuntimeException e) {
            throw new RulesException("rule '" + rule + "': bad time range '" + s + "' (expected: HH:MM:SS-HH:MM:SS)");
        }
    }

    private static List<UserRules> users(List<String> w, Map<String, Rule> rules) {
        int m = -1;
        for (int i = 1; i < w.size(); i++) {
            if (w.get(i).equalsIgnoreCase("match")) {
                m = i;
                break;
            }
        }
        if (m < 2 || m + 3 > w.size() || !w.get(m + 2).equalsIgnoreCase("rules")) {
            throw new RulesException("expected: users USER@HOST ... match any|all|strict_all rules RULE ...");
        }
        Mode mode = switch (w.get(m + 1).toLowerCase(Locale.ROOT)) {
            case "any" -> Mode.ANY;
            case "all" -> Mode.ALL;
            case "strict_all" -> Mode.STRICT_ALL;
            default -> throw new RulesException("unknown match mode '" + w.get(m + 1) + "' (expected: any, all, strict_all)");
        };
        List<Rule> list = new ArrayList<>();
        for (int i = m + 3; i < w.size(); i++) {
            Rule r = rules.get(w.get(i));
            if (r == null) {
                throw new RulesException("unknown rule '" + w.get(i) + "' (rules must be defined before the users line)");
            }
            list.add(r);
        }
        if (list.isEmpty()) {
            throw new RulesException("a users line needs at least one rule");
        }
        List<UserRules> out = new ArrayList<>();
        for (int i = 1; i < m; i++) {
            String spec = w.get(i);
            int at = spec.lastIndexOf('@');
            if (at <= 0 || at == spec.length() - 1) {
                throw new RulesException("bad user '" + spec + "' (expected: user@host, % as wildcard)");
            }
            out.add(new UserRules(like(spec.substring(0, at)), like(spec.substring(at + 1)), spec, mode, List.copyOf(list)));
        }
        return out;
    }

    /** A user or host pattern: % matches anything, the rest literally, case-insensitively. */
    private static Pattern like(String s) {
        String[] parts = s.split("%", -1);
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                re.append(".*");
            }
            re.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE);
    }
}
