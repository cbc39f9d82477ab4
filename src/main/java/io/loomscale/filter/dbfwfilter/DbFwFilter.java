package io.loomscale.filter.dbfwfilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.config.Params;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterSession;
import io.loomscale.filter.SessionMatch;
import io.loomscale.filter.SqlWords;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.session.Downstream;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * MaxScale's database firewall: {@code rules} (a file in MaxScale's rule language, see
 * {@link FirewallRules}) say which statements (COM_QUERY, and COM_STMT_PREPARE so a prepared
 * statement is judged by its text) of which users match; {@code action} decides: {@code block}
 * (the default) refuses matching statements, {@code allow} refuses the others, {@code ignore}
 * only logs. {@code log_match}, {@code log_no_match} log decisions at INFO. A refused statement
 * gets ERR 1141 naming the rule; the session goes on. Users no {@code users} line names are not
 * filtered. {@link #reload()} reads the rules file again (a bad file keeps the old rules and
 * says why); sessions use the new rules from their next statement.
 *
 * <p>Statements are read with a lexer (comments skipped, executable comments read as code):
 * {@code wildcard} is a {@code *} in a select list (not {@code COUNT(*)}), {@code columns} any of
 * the names used as an identifier, {@code function} any of the names followed by {@code (},
 * {@code no_where_clause} a SELECT, UPDATE or DELETE without WHERE; {@code limit_queries} counts
 * the session's statements.
 */
public final class DbFwFilter implements Filter {
    private static final Logger log = LoggerFactory.getLogger(DbFwFilter.class);
    static final Set<String> KEYS = Set.of("rules", "action", "log_match", "log_no_match");

    enum Action { BLOCK, ALLOW, IGNORE }

    private final Path file;
    private final Action action;
    private final boolean logMatch;
    private final boolean logNoMatch;
    private final AtomicReference<FirewallRules> rules;
    private final AtomicLong blocked = new AtomicLong();
    private final AtomicLong passed = new AtomicLong();
    private final AtomicLong reloads = new AtomicLong();

    private DbFwFilter(Path file, FirewallRules rules, Action action, boolean logMatch, boolean logNoMatch) {
        this.file = file;
        this.rules = new AtomicReference<>(rules);
        this.action = action;
        this.logMatch = logMatch;
        this.logNoMatch = logNoMatch;
    }

    static DbFwFilter create(FilterConfig config) {
        Params p = config.params();
        p.rejectUnknown(KEYS);
        String rf = p.string("rules", null);
        if (rf == null || rf.isEmpty()) {
            throw p.error("rules", "missing: dbfwfilter needs its rules file", "a file in MaxScale's firewall rule language");
        }
        Path file = Path.of(rf);
        FirewallRules r;
        try {
            r = read(file);
        } catch (IOException e) {
            throw p.error("rules", "cannot read rules file " + rf + ": " + e.getMessage(), "a readable file");
        } catch (FirewallRules.RulesException e) {
            throw p.error("rules", "rules file " + rf + ": " + e.getMessage(), "MaxScale's firewall rule language");
        }
        Action action = switch (p.string("action", "block").toLowerCase(Locale.ROOT)) {
            case "block" -> Action.BLOCK;
            case "allow" -> Action.ALLOW;
            case "ignore" -> Action.IGNORE;
            default -> throw p.error("action", "unknown action '" + p.string("action", "") + "'", "allow, block, ignore");
        };
        return new DbFwFilter(file, r, action, p.bool("log_match", false), p.bool("log_no_match", false));
    }

    private static FirewallRules read(Path file) throws IOException {
        return FirewallRules.parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * Reads the rules file again (MaxScale's {@code rules/reload} command). Returns null when
     * the new rules are in use, else why not (the old rules stay).
     */
    public String reload() {
        try {
            rules.set(read(file));
            reloads.incrementAndGet();
            log.info("dbfwfilter: rules reloaded from {}", file);
            return null;
        } catch (IOException | FirewallRules.RulesException e) {
            log.warn("dbfwfilter: rules file {} not reloaded: {}", file, e.getMessage());
            return file + ": " + e.getMessage();
        }
    }

    @Override
    public FilterSession newSession(SessionContext ctx) {
        return new FwSession(ctx);
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("module", "dbfwfilter");
        d.put("rules", file.toString());
        d.put("action", action.name().toLowerCase(Locale.ROOT));
        d.put("user_groups", rules.get().users().size());
        d.put("statements_refused", blocked.get());
        d.put("statements_passed", passed.get());
        d.put("reloads", reloads.get());
        return d;
    }

    /** One session's firewall; its virtual thread only. */
    private final class FwSession implements FilterSession {
        private final SessionContext ctx;
        private final String host;
        private FirewallRules seen;
        private List<FirewallRules.UserRules> mine;
        private final Map<FirewallRules.Rule, ArrayDeque<Long>> windows = new IdentityHashMap<>();
        private final Map<FirewallRules.Rule, Long> holdUntil = new IdentityHashMap<>();

        FwSession(SessionContext ctx) {
            this.ctx = ctx;
            this.host = SessionMatch.host(ctx.clientAddress());
        }

        @Override
        public void onStatement(Statement st, Downstream next) throws IOException {
            int c = st.command();
            if (c == Commands.COM_QUERY || c == Commands.COM_STMT_PREPARE) {
                FirewallRules r = rules.get();
                if (r != seen) {
                    seen = r;
                    mine = r.forSession(ctx.user(), host);
                }
                if (!mine.isEmpty()) {
                    String sql = st.sql();
                    String matched = match(sql);
                    boolean refuse = action == Action.BLOCK ? matched != null : action == Action.ALLOW && matched == null;
                    if (matched != null ? logMatch : logNoMatch) {
                        log.info("dbfwfilter: session {} ({}@{}): {}: {}", ctx.id(), ctx.user(), host,
                                matched != null ? "matched rule " + matched : "no rule matched", sql);
                    }
                    if (refuse) {
                        blocked.incrementAndGet();
                        String why = matched != null ? "the statement matched rule '" + matched + "'"
                                : "the statement matched no rule that allows it";
                        ctx.sendToClient(new ErrPacket(1141, "HY000", "Access denied for user '" + ctx.user() + "'@'"
                                + host + "' by the database firewall: " + why).encode(1));
                        return;
                    }
                }
                passed.incrementAndGet();
            }
            next.route(st);
        }

        /** The name of the (first) rule group's matching rule, or null. */
        private String match(String sql) {
            List<SqlWords.Token> t = SqlWords.tokens(sql);
            String op = t.isEmpty() ? "" : t.get(0).text().toLowerCase(Locale.ROOT);
            LocalTime now = LocalTime.now();
            long nanos = System.nanoTime();
            for (FirewallRules.UserRules u : mine) {
                String first = null;
                int hits = 0;
                for (FirewallRules.Rule r : u.rules()) {
                    boolean m = r.activeAt(now) && (r.onQueries().isEmpty() || r.onQueries().contains(op))
                            && matches(r, sql, t, op, nanos);
                    if (m) {
                        hits++;
                        if (first == null) {
                            first = r.name();
                        }
                        if (u.mode() == FirewallRules.Mode.ANY) {
                            return first;
                        }
                    } else if (u.mode() == FirewallRules.Mode.STRICT_ALL) {
                        break;
                    }
                }
                if (u.mode() != FirewallRules.Mode.ANY && hits == u.rules().size()) {
                    return first;
                }
            }
            return null;
        }

        private boolean matches(FirewallRules.Rule r, String sql, List<SqlWords.Token> t, String op, long nanos) {
            switch (r.kind()) {
                case REGEX:
                    return r.regex().matcher(sql).find();
                case COLUMNS:
                    for (SqlWords.Token x : t) {
                        if (x.word() && r.names().contains(x.text().toLowerCase(Locale.ROOT))) {
                            return true;
                        }
                    }
                    return false;
                case FUNCTION:
                    for (int i = 0; i + 1 < t.size(); i++) {
                        SqlWords.Token x = t.get(i);
                        if (x.word() && !x.quoted() && t.get(i + 1).text().equals("(") && !t.get(i + 1).word()
                                && r.names().contains(x.text().toLowerCase(Locale.ROOT))) {
                            return true;
                        }
                    }
                    return false;
                case WILDCARD:
                    for (int i = 1; i < t.size(); i++) {
                        SqlWords.Token x = t.get(i);
                        if (!x.word() && x.text().equals("*")) {
                            SqlWords.Token prev = t.get(i - 1);
                            if (prev.is("SELECT") || prev.is("DISTINCT") || prev.is("ALL") || prev.text().equals(",")
                                    || prev.text().equals(".") && !prev.word()) {
                                return true;
                            }
                        }
                    }
                    return false;
                case NO_WHERE_CLAUSE:
                    if (!op.equals("select") && !op.equals("update") && !op.equals("delete")) {
                        return false;
                    }
                    for (SqlWords.Token x : t) {
                        if (x.is("WHERE")) {
                            return false;
                        }
                    }
                    return !op.equals("select") || hasFrom(t);
                case LIMIT_QUERIES:
                    Long hold = holdUntil.get(r);
                    if (hold != null && nanos - hold < 0) {
                        return true;
                    }
                    ArrayDeque<Long> w = windows.computeIfAbsent(r, k -> new ArrayDeque<>());
                    long window = r.seconds() * 1_000_000_000L;
                    while (!w.isEmpty() && nanos - w.peekFirst() > window) {
                        w.pollFirst();
                    }
                    w.addLast(nanos);
                    if (w.size() > r.limit()) {
                        holdUntil.put(r, nanos + r.holdoff() * 1_000_000_000L);
                        w.clear();
                        return true;
                    }
                    return false;
                default:
                    return false;
            }
        }

        private static boolean hasFrom(List<SqlWords.Token> t) {
            for (SqlWords.Token x : t) {
                if (x.is("FROM")) {
                    return true;
                }
            }
            return false;
        }
    }
}
