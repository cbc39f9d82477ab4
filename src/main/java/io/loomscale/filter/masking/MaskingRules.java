package io.loomscale.filter.masking;

import io.loomscale.config.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The masking filter's rules file, as MaxScale's: {@code {"rules": [RULE, ...]}} where a rule is
 * <ul>
 *   <li>{@code "replace": {"database": D, "table": T, "column": C}} (column required) with
 *   {@code "with": {"value": V, "fill": F}}: a value is replaced by V when V has its length,
 *   otherwise by F repeated to its length (F defaults to "X"); with {@code "match": REGEX}
 *   (2.2's partial masking) only the parts of the value that match are filled;</li>
 *   <li>or {@code "obfuscate": {...same...}}: the value is replaced by printable characters
 *   derived from it (same length, the same value always gives the same result);</li>
 *   <li>{@code "applies_to"}, {@code "exempted"}: lists of {@code 'user'@'host'} (host {@code %}
 *   = any) the rule is limited to / never applies to.</li>
 * </ul>
 * Names compare case-insensitively with the original (not aliased) column, table and database of
 * each result column. Immutable.
 */
final class MaskingRules {
    static final class RulesException extends RuntimeException {
        RulesException(String message) {
            super(message);
        }
    }

    /** One rule. {@code database}/{@code table} null = any. */
    record Rule(String database, String table, String column, boolean obfuscate, byte[] value, byte fill,
            Pattern match, List<String[]> appliesTo, List<String[]> exempted) {

        boolean appliesTo(String user, String host) {
            for (String[] e : exempted) {
                if (matches(e, user, host)) {
                    return false;
                }
            }
            if (appliesTo.isEmpty()) {
                return true;
            }
            for (String[] a : appliesTo) {
                if (matches(a, user, host)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean matches(String[] uh, String user, String host) {
            return (uh[0].equals("%") || uh[0].equals(user)) && (uh[1].equals("%") || uh[1].equalsIgnoreCase(host));
        }

        boolean covers(String db, String tbl, String col) {
            return column.equalsIgnoreCase(col) && (table == null || table.equalsIgnoreCase(tbl))
                    && (database == null || database.equalsIgnoreCase(db));
        }
    }

    private final List<Rule> rules;

    private MaskingRules(List<Rule> rules) {
        this.rules = rules;
    }

    List<Rule> rules() {
        return rules;
    }

    static MaskingRules parse(String json) {
        Object doc;
        try {
            doc = Json.parse(json);
        } catch (Json.JsonException e) {
            throw new RulesException(e.getMessage());
        }
        if (!(doc instanceof Map<?, ?> m) || !(m.get("rules") instanceof List<?> list)) {
            throw new RulesException("the document must be an object with a 'rules' array");
        }
        for (Object k : m.keySet()) {
            if (!k.equals("rules")) {
                throw new RulesException("unknown member '" + k + "' (allowed: rules)");
            }
        }
        List<Rule> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(rule(list.get(i), "rule " + (i + 1)));
        }
        return new MaskingRules(List.copyOf(out));
    }

    private static Rule rule(Object o, String where) {
        if (!(o instanceof Map<?, ?> r)) {
            throw new RulesException(where + ": must be an object");
        }
        for (Object k : r.keySet()) {
            if (!Set.of("replace", "obfuscate", "with", "match", "applies_to", "exempted").contains(k)) {
                throw new RulesException(where + ": unknown member '" + k
                        + "' (allowed: replace, obfuscate, with, match, applies_to, exempted)");
            }
        }
        boolean obfuscate = r.containsKey("obfuscate");
        if (obfuscate == r.containsKey("replace")) {
            throw new RulesException(where + ": needs exactly one of 'replace' and 'obfuscate'");
        }
        Object target = r.get(obfuscate ? "obfuscate" : "replace");
        if (!(target instanceof Map<?, ?> t)) {
            throw new RulesException(where + ": '" + (obfuscate ? "obfuscate" : "replace") + "' must be an object");
        }
        for (Object k : t.keySet()) {
            if (!Set.of("database", "table", "column").contains(k)) {
                throw new RulesException(where + ": unknown member '" + k + "' in the target (allowed: database, table, column)");
            }
        }
        String column = string(t.get("column"), where + ": 'column'", true);
        String table = string(t.get("table"), where + ": 'table'", false);
        String db = string(t.get("database"), where + ": 'database'", false);
        byte[] value = null;
        byte fill = 'X';
        if (r.get("with") != null) {
            if (obfuscate) {
                throw new RulesException(where + ": 'with' goes with 'replace', not 'obfuscate'");
            }
            if (!(r.get("with") instanceof Map<?, ?> w)) {
                throw new RulesException(where + ": 'with' must be an object");
            }
            for (Object k : w.keySet()) {
                if (!Set.of("value", "fill").contains(k)) {
                    throw new RulesException(where + ": unknown member '" + k + "' in 'with' (allowed: value, fill)");
                }
            }
            String v = string(w.get("value"), where + ": 'with.value'", false);
            String f = string(w.get("fill"), where + ": 'with.fill'", false);
            value = v == null ? null : v.getBytes(StandardCharsets.UTF_8);
            if (f != null) {
                if (f.length() != 1 || f.charAt(0) > 0x7e || f.charAt(0) < 0x20) {
                    throw new RulesException(where + ": 'with.fill' must be one printable ASCII character, not '" + f + "'");
                }
                fill = (byte) f.charAt(0);
            }
        }
        Pattern match = null;
        String re = string(r.get("match"), where + ": 'match'", false);
        if (re != null) {
            if (obfuscate) {
                throw new RulesException(where + ": 'match' goes with 'replace', not 'obfuscate'");
            }
            try {
                match = Pattern.compile(re);
            } catch (PatternSyntaxException e) {
                throw new RulesException(where + ": 'match': bad regular expression: " + e.getDescription());
            }
        }
        return new Rule(db, table, column, obfuscate, value, fill, match, accounts(r.get("applies_to"), where + ": 'applies_to'"),
                accounts(r.get("exempted"), where + ": 'exempted'"));
    }

    private static String string(Object v, String what, boolean required) {
        if (v == null) {
            if (required) {
                throw new RulesException(what + " is required");
            }
            return null;
        }
        if (!(v instanceof String s) || s.isEmpty()) {
            throw new RulesException(what + " must be a non-empty string");
        }
        return s;
    }

    private static List<String[]> accounts(Object v, String what) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new RulesException(what + " must be an array of 'user'@'host'");
        }
        List<String[]> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String s) || s.isEmpty()) {
                throw new RulesException(what + " must hold strings such as \"'bob'@'%'\"");
            }
            String plain = s.replace("'", "").replace("`", "");
            String[] uh = plain.contains("@") ? plain.split("@", 2) : new String[] {plain, "%"};
            out.add(uh);
        }
        return List.copyOf(out);
    }
}
