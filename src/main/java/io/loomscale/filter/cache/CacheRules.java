package io.loomscale.filter.cache;

import io.loomscale.config.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The cache's rules file, as MaxScale's: a JSON object with {@code store} rules (which
 * statements' results may be cached: any rule matching is enough; none = all) and {@code use}
 * rules (which sessions may read the cache: any rule matching; none = all). A rule is
 * {@code {"attribute": A, "op": OP, "value": V}} with A one of {@code database}, {@code table},
 * {@code column}, {@code query} (store) or {@code user} (use), and OP one of {@code =},
 * {@code !=}, {@code like}, {@code unlike} (like: a regular expression, searched). Names are
 * compared with the statement's identifiers (so {@code column} means "the statement names this
 * column", which {@code SELECT *} does not: such a rule lets {@code SELECT *} through); a
 * qualified {@code db.table} value needs both names. Immutable.
 */
final class CacheRules {
    /** Why the rules file is refused: the message names the place in the file. */
    static final class RulesException extends RuntimeException {
        RulesException(String message) {
            super(message);
        }
    }

    private record Rule(String attribute, String op, String value, Pattern regex) {
        boolean matchesNames(Set<String> words, String db) {
            boolean hit;
            if (regex != null) {
                hit = false;
                for (String w : words) {
                    if (regex.matcher(w).find()) {
                        hit = true;
                        break;
                    }
                }
                if (!hit && attribute.equals("database") && db != null) {
                    hit = regex.matcher(db).find();
                }
            } else {
                String[] parts = value.toLowerCase(Locale.ROOT).split("\\.");
                hit = true;
                for (String p : parts) {
                    if (!words.contains(p) && !(attribute.equals("database") && p.equalsIgnoreCase(db))) {
                        hit = false;
                        break;
                    }
                }
            }
            return op.equals("=") || op.equals("like") ? hit : !hit;
        }
    }

    static final CacheRules NONE = new CacheRules(List.of(), List.of());

    private final List<Rule> store;
    private final List<Rule> use;

    private CacheRules(List<Rule> store, List<Rule> use) {
        this.store = store;
        this.use = use;
    }

    static CacheRules parse(String json) {
        Object doc;
        try {
            doc = Json.parse(json);
        } catch (Json.JsonException e) {
            throw new RulesException(e.getMessage());
        }
        if (!(doc instanceof Map<?, ?> m)) {
            throw new RulesException("the document must be a JSON object with 'store' and/or 'use'");
        }
        for (Object k : m.keySet()) {
            if (!k.equals("store") && !k.equals("use")) {
                throw new RulesException("unknown member '" + k + "' (allowed: store, use)");
            }
        }
        return new CacheRules(rules(m.get("store"), "store", Set.of("database", "table", "column", "query")),
                rules(m.get("use"), "use", Set.of("user")));
    }

    private static List<Rule> rules(Object v, String what, Set<String> attributes) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw new RulesException("'" + what + "' must be an array of rules");
        }
        List<Rule> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = what + " rule " + (i + 1);
            if (!(list.get(i) instanceof Map<?, ?> r)) {
                throw new RulesException(where + ": must be an object with attribute, op, value");
            }
            for (Object k : r.keySet()) {
                if (!Set.of("attribute", "op", "value").contains(k)) {
                    throw new RulesException(where + ": unknown member '" + k + "' (allowed: attribute, op, value)");
                }
            }
            Object a = r.get("attribute");
            Object op = r.get("op");
            Object val = r.get("value");
            if (!(a instanceof String attr) || !attributes.contains(attr)) {
                throw new RulesException(where + ": attribute " + (a == null ? "missing" : "'" + a + "'")
                        + " (allowed: " + String.join(", ", new java.util.TreeSet<>(attributes)) + ")");
            }
            if (!(op instanceof String o) || !Set.of("=", "!=", "like", "unlike").contains(o)) {
                throw new RulesException(where + ": op " + (op == null ? "missing" : "'" + op + "'") + " (allowed: =, !=, like, unlike)");
            }
            if (!(val instanceof String value) || value.isEmpty()) {
                throw new RulesException(where + ": value must be a non-empty string");
            }
            Pattern re = null;
            if (o.equals("like") || o.equals("unlike")) {
                try {
                    re = Pattern.compile(value, Pattern.CASE_INSENSITIVE);
                } catch (PatternSyntaxException e) {
                    throw new RulesException(where + ": bad regular expression: " + e.getDescription());
                }
            }
            out.add(new Rule(attr, o, attr.equals("user") ? normalizeUser(value) : value, re));
        }
        return List.copyOf(out);
    }

    /** {@code 'bob'@'%'} or {@code bob@%} or {@code bob} to {@code bob@host-pattern}. */
    private static String normalizeUser(String v) {
        String s = v.replace("'", "").replace("`", "");
        return s.contains("@") ? s : s + "@%";
    }

    /** Whether a statement's result may be stored. */
    boolean mayStore(String sql, Set<String> words, String db) {
        if (store.isEmpty()) {
            return true;
        }
        for (Rule r : store) {
            boolean m = r.attribute().equals("query")
                    ? (r.regex() != null ? r.regex().matcher(sql).find() == r.op().equals("like")
                    : sql.equals(r.value()) == r.op().equals("="))
                    : r.matchesNames(words, db);
            if (m) {
                return true;
            }
        }
        return false;
    }

    /** Whether a session of {@code user} from {@code host} may read the cache. */
    boolean mayUse(String user, String host) {
        if (use.isEmpty()) {
            return true;
        }
        String who = user + "@" + host;
        for (Rule r : use) {
            boolean hit;
            if (r.regex() != null) {
                hit = r.regex().matcher(who).find();
            } else {
                String[] uh = r.value().split("@", 2);
                hit = uh[0].equals(user) && (uh[1].equals("%") || uh[1].equals(host));
            }
            if (hit == (r.op().equals("=") || r.op().equals("like"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return store.size() + " store rule(s), " + use.size() + " use rule(s)";
    }
}
