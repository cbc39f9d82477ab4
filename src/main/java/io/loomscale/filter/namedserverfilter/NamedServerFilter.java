package io.loomscale.filter.namedserverfilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.config.Params;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterEnv;
import io.loomscale.filter.FilterSession;
import io.loomscale.filter.SessionMatch;
import io.loomscale.hint.Hint;
import io.loomscale.session.Downstream;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Pattern;

/**
 * MaxScale's named server filter: a statement (COM_QUERY, COM_STMT_PREPARE) whose text matches a
 * rule's regular expression gets a routing hint to the rule's target, which readwritesplit obeys
 * as it obeys a {@code -- maxscale route to server NAME} comment (readconnroute, like MaxScale's,
 * ignores hints). Rules: 2.1's {@code match} + {@code server}, and the later
 * {@code match01}/{@code target01} ... {@code match25}/{@code target25}; the first matching rule
 * wins. A target is a server name or {@code ->master} / {@code ->slave}. {@code options},
 * {@code user} and {@code source} as in the other filters. Unknown servers are refused at start.
 */
public final class NamedServerFilter implements Filter {
    private static final int MAX_RULES = 25;

    record Rule(String key, Pattern match, String target, Hint hint) {
    }

    private final List<Rule> rules;
    private final SessionMatch sessions;
    private final AtomicLongArray hits;
    private final java.util.concurrent.atomic.AtomicLong passed = new java.util.concurrent.atomic.AtomicLong();

    private NamedServerFilter(List<Rule> rules, SessionMatch sessions) {
        this.rules = rules;
        this.sessions = sessions;
        this.hits = new AtomicLongArray(rules.size());
    }

    static NamedServerFilter create(FilterConfig config, FilterEnv env) {
        Params p = config.params();
        Set<String> allowed = new HashSet<>(Set.of("match", "server", "options", "user", "source"));
        for (int i = 1; i <= MAX_RULES; i++) {
            allowed.add(String.format("match%02d", i));
            allowed.add(String.format("target%02d", i));
        }
        p.rejectUnknown(allowed);
        int flags = SessionMatch.regexFlags(p);
        List<Rule> rules = new ArrayList<>();
        if (p.has("match") || p.has("server")) {
            rules.add(rule(p, "match", "server", flags, env));
        }
        for (int i = 1; i <= MAX_RULES; i++) {
            String m = String.format("match%02d", i);
            String t = String.format("target%02d", i);
            if (p.has(m) || p.has(t)) {
                rules.add(rule(p, m, t, flags, env));
            }
        }
        if (rules.isEmpty()) {
            throw p.error("match", "missing: namedserverfilter needs at least one rule",
                    "match + server, or match01 + target01 ... match25 + target25");
        }
        // user and source select sessions; 'match' is a rule here, not a selection.
        return new NamedServerFilter(List.copyOf(rules), SessionMatch.sessionsOnly(p));
    }

    private static Rule rule(Params p, String matchKey, String targetKey, int flags, FilterEnv env) {
        if (!p.has(matchKey)) {
            throw p.error(matchKey, "missing: '" + targetKey + "' is set but has no regular expression", "a regular expression");
        }
        if (!p.has(targetKey)) {
            throw p.error(targetKey, "missing: '" + matchKey + "' is set but has no target", "a server name, ->master or ->slave");
        }
        Pattern re = SessionMatch.compile(p, matchKey, flags);
        String target = p.string(targetKey, "").trim();
        Hint hint;
        if (target.equalsIgnoreCase("->master")) {
            hint = Hint.route(Hint.Type.ROUTE_TO_MASTER);
        } else if (target.equalsIgnoreCase("->slave")) {
            hint = Hint.route(Hint.Type.ROUTE_TO_SLAVE);
        } else if (target.isEmpty() || target.contains(",") || target.startsWith("->")) {
            throw p.error(targetKey, "unsupported target '" + target + "' (lists of servers and ->all are not supported)",
                    "one server name, ->master or ->slave");
        } else if (!env.serverNames().isEmpty() && !env.serverNames().contains(target)) {
            throw p.error(targetKey, "unknown server '" + target + "'", String.join(", ", new java.util.TreeSet<>(env.serverNames())));
        } else {
            hint = Hint.toServer(target);
        }
        return new Rule(matchKey, re, target, hint);
    }

    @Override
    public FilterSession newSession(SessionContext ctx) {
        if (!sessions.appliesTo(ctx)) {
            return (st, next) -> next.route(st);
        }
        return this::onStatement;
    }

    private void onStatement(Statement st, Downstream next) throws IOException {
        CharSequence sql = st.sqlView();
        if (sql != null) {
            for (int i = 0; i < rules.size(); i++) {
                Rule r = rules.get(i);
                if (r.match().matcher(sql).find()) {
                    st.addHint(r.hint());
                    hits.incrementAndGet(i);
                    next.route(st);
                    return;
                }
            }
        }
        passed.incrementAndGet();
        next.route(st);
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("module", "namedserverfilter");
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            d.put(r.key(), r.match().pattern() + " -> " + r.target() + " (" + hits.get(i) + " matched)");
        }
        d.put("selection", sessions.toString());
        d.put("not_matched", passed.get());
        return d;
    }
}
