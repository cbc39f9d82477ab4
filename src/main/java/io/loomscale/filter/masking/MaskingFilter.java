package io.loomscale.filter.masking;

import io.loomscale.config.FilterConfig;
import io.loomscale.config.Params;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterSession;
import io.loomscale.filter.SessionMatch;
import io.loomscale.filter.SqlWords;
import io.loomscale.protocol.Capabilities;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.Packets;
import io.loomscale.session.Downstream;
import io.loomscale.session.Reply;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MaxScale's masking filter: values of the columns the {@code rules} file names are replaced in
 * result sets (text protocol, and binary protocol for prepared statements, including rows fetched
 * through a cursor) before the client sees them; everything else passes byte-identical. The
 * replacement always has the value's byte length, so rows are rewritten in place (the collected
 * reply is the only copy). Only string columns (CHAR, VARCHAR, TEXT, BLOB, ENUM, SET) are masked;
 * {@code warn_type_mismatch = "always"} logs a rule that hits another type. A row in a packet of
 * 16 MiB or more is refused ({@code large_payload = "abort"}, the default: the client gets an
 * error) or let through unmasked ({@code "ignore"}).
 *
 * <p>{@code prevent_function_usage} (default true) refuses, with an error, statements that could
 * reveal a masked column's values under another name, which the result's column definitions
 * would not show: the column used inside a function call ({@code CONCAT(ssn)},
 * {@code CAST(ssn AS ...)}), next to an arithmetic or bit operator ({@code ssn + 0}), inside a
 * subquery, or in a statement with a UNION. Comparisons are allowed (as in MaxScale), so a
 * client can still test guesses ({@code WHERE ssn = '...'}). Prepared
 * statements are checked when prepared. The check is on the statement's words (comments
 * skipped, executable comments read), so a column name that is also used for another table in
 * the same statement is refused too.
 *
 * <p>Each result is collected whole before the client gets it (see
 * {@link io.loomscale.filter.FilterSession}), for sessions any rule applies to; other sessions
 * pass through untouched.
 */
public final class MaskingFilter implements Filter {
    private static final Logger log = LoggerFactory.getLogger(MaskingFilter.class);
    static final Set<String> KEYS = Set.of("rules", "warn_type_mismatch", "large_payload", "prevent_function_usage");
    private static final Set<String> NOT_FUNCTIONS = Set.of("SELECT", "FROM", "WHERE", "IN", "VALUES", "VALUE", "AND", "OR",
            "NOT", "ON", "USING", "AS", "JOIN", "EXISTS", "UNION", "ALL", "ANY", "SOME", "INTO", "TABLE", "BY", "HAVING",
            "SET", "WHEN", "THEN", "ELSE", "CASE", "IS", "LIKE", "BETWEEN", "XOR", "DISTINCT", "LIMIT", "OVER", "WITH",
            "RETURNING", "INTERVAL");

    private final MaskingRules rules;
    private final boolean warnTypeMismatch;
    private final boolean abortLarge;
    private final boolean preventFunctions;
    private final AtomicLong resultsMasked = new AtomicLong();
    private final AtomicLong valuesMasked = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong largeRefused = new AtomicLong();

    private MaskingFilter(MaskingRules rules, boolean warnTypeMismatch, boolean abortLarge, boolean preventFunctions) {
        this.rules = rules;
        this.warnTypeMismatch = warnTypeMismatch;
        this.abortLarge = abortLarge;
        this.preventFunctions = preventFunctions;
    }

    static MaskingFilter create(FilterConfig config) {
        Params p = config.params();
        p.rejectUnknown(KEYS);
        String rf = p.string("rules", null);
        if (rf == null || rf.isEmpty()) {
            throw p.error("rules", "missing: masking needs its rules file", "a JSON file as MaxScale's masking rules");
        }
        String text;
        try {
            text = Files.readString(Path.of(rf), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw p.error("rules", "cannot read rules file " + rf + ": " + e.getMessage(), "a readable JSON file");
        }
        MaskingRules rules;
        try {
            rules = MaskingRules.parse(text);
        } catch (MaskingRules.RulesException e) {
            throw p.error("rules", "rules file " + rf + ": " + e.getMessage(), "MaxScale's masking rules");
        }
        String wtm = p.string("warn_type_mismatch", "never").toLowerCase(Locale.ROOT);
        if (!wtm.equals("never") && !wtm.equals("always")) {
            throw p.error("warn_type_mismatch", "unknown value '" + wtm + "'", "never, always");
        }
        String lp = p.string("large_payload", "abort").toLowerCase(Locale.ROOT);
        if (!lp.equals("abort") && !lp.equals("ignore")) {
            throw p.error("large_payload", "unknown value '" + lp + "'", "abort, ignore");
        }
        return new MaskingFilter(rules, wtm.equals("always"), lp.equals("abort"), p.bool("prevent_function_usage", true));
    }

    @Override
    public FilterSession newSession(SessionContext ctx) {
        String host = SessionMatch.host(ctx.clientAddress());
        List<MaskingRules.Rule> mine = new ArrayList<>();
        for (MaskingRules.Rule r : rules.rules()) {
            if (r.appliesTo(ctx.user(), host)) {
                mine.add(r);
            }
        }
        if (mine.isEmpty()) {
            return (st, next) -> next.route(st);
        }
        return new MaskingSession(ctx, List.copyOf(mine));
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("module", "masking");
        d.put("rules", rules.rules().size());
        d.put("prevent_function_usage", preventFunctions);
        d.put("large_payload", abortLarge ? "abort" : "ignore");
        d.put("warn_type_mismatch", warnTypeMismatch ? "always" : "never");
        d.put("results_masked", resultsMasked.get());
        d.put("values_masked", valuesMasked.get());
        d.put("statements_refused", refused.get());
        d.put("large_results_refused", largeRefused.get());
        return d;
    }

    /** One session's masking; its virtual thread only. */
    private final class MaskingSession implements FilterSession {
        private final SessionContext ctx;
        private final List<MaskingRules.Rule> rules;
        private final Set<String> columns = new HashSet<>();
        private final boolean deprecateEof;
        /** Column definitions carry MariaDB's extended type info after the names. */
        private final boolean extendedMetadata;
        /** Per prepared statement id: the masking plan of its columns, kept for cursor fetches. */
        private final Map<Integer, Column[]> cursorPlans = new HashMap<>();

        MaskingSession(SessionContext ctx, List<MaskingRules.Rule> rules) {
            this.ctx = ctx;
            this.rules = rules;
            for (MaskingRules.Rule r : rules) {
                columns.add(r.column().toLowerCase(Locale.ROOT));
            }
            this.deprecateEof = Capabilities.has(ctx.clientCapabilities(), Capabilities.DEPRECATE_EOF);
            this.extendedMetadata = Capabilities.has(ctx.clientCapabilities(), Capabilities.MARIADB_CLIENT_EXTENDED_METADATA);
        }

        @Override
        public void onStatement(Statement st, Downstream next) throws IOException {
            int c = st.command();
            if ((c == Commands.COM_QUERY || c == Commands.COM_STMT_PREPARE) && preventFunctions) {
                String why = reveals(st.sql());
                if (why != null) {
                    refused.incrementAndGet();
                    ctx.sendToClient(new ErrPacket(1142, "42000", "The statement is refused by the masking filter: "
                            + why).encode(1));
                    return;
                }
            }
            if (c == Commands.COM_QUERY) {
                st.collectReply(r -> mask(r, false, -1));
            } else if (c == Commands.COM_STMT_PREPARE) {
                st.collectReply(r -> {
                    byte[] p = r.packets();
                    if (p != null && p.length >= Packets.HEADER + 5 && (p[Packets.HEADER] & 0xff) == Packets.OK) {
                        lastPrepared = stmtId(p);
                    }
                });
            } else if (c == Commands.COM_STMT_EXECUTE) {
                int sent = stmtId(st.packet());
                int id = sent == -1 ? lastPrepared : sent; // -1: the statement just prepared
                st.collectReply(r -> mask(r, true, id));
            } else if (c == Commands.COM_STMT_FETCH) {
                Column[] plan = cursorPlans.get(stmtId(st.packet()));
                if (plan == null) {
                    // A cursor whose columns this filter never saw: its rows cannot be checked.
                    refused.incrementAndGet();
                    ctx.sendToClient(new ErrPacket(1142, "42000", "The statement is refused by the masking filter: "
                            + "a fetch from a cursor whose columns it has not seen").encode(1));
                    return;
                }
                st.collectReply(r -> maskFetch(r, plan));
            } else if (c == Commands.COM_STMT_CLOSE) {
                cursorPlans.remove(stmtId(st.packet()));
            }
            next.route(st);
        }

        /** Why the statement could show a masked column under another name, or null. */
        String reveals(String sql) {
            if (sql == null) {
                return null;
            }
            List<SqlWords.Token> t = SqlWords.tokens(sql);
            boolean mentions = false;
            boolean union = false;
            for (SqlWords.Token x : t) {
                if (x.word() && columns.contains(x.text().toLowerCase(Locale.ROOT))) {
                    mentions = true;
                }
                if (x.is("UNION") || x.is("INTERSECT") || x.is("EXCEPT")) {
                    union = true;
                }
            }
            if (!mentions) {
                return null;
            }
            if (union) {
                return "it names a masked column and has a UNION";
            }
            // Frames of parentheses: 'f' a function call, 's' a subquery, 'o' other.
            StringBuilder frames = new StringBuilder();
            for (int i = 0; i < t.size(); i++) {
                SqlWords.Token x = t.get(i);
                if (x.text().equals("(") && !x.word()) {
                    SqlWords.Token prev = i > 0 ? t.get(i - 1) : null;
                    SqlWords.Token following = i + 1 < t.size() ? t.get(i + 1) : null;
                    char f = following != null && following.is("SELECT") ? 's'
                            : prev != null && prev.word() && !prev.quoted() && !NOT_FUNCTIONS.contains(prev.text().toUpperCase(Locale.ROOT)) ? 'f' : 'o';
                    frames.append(f);
                } else if (x.text().equals(")") && !x.word() && !frames.isEmpty()) {
                    frames.setLength(frames.length() - 1);
                } else if (x.word() && columns.contains(x.text().toLowerCase(Locale.ROOT))) {
                    if (isArithmetic(i > 0 ? t.get(i - 1) : null) || isArithmetic(i + 1 < t.size() ? t.get(i + 1) : null)) {
                        return "masked column '" + x.text() + "' is used in an expression";
                    }
                    if (frames.indexOf("f") >= 0) {
                        return "masked column '" + x.text() + "' is used in a function call";
                    }
                    if (frames.indexOf("s") >= 0) {
                        return "masked column '" + x.text() + "' is used in a subquery";
                    }
                }
            }
            return null;
        }

        private void mask(Reply r, boolean binary, int stmtId) throws IOException {
            byte[] p = r.packets();
            if (p == null || !r.isKnown()) {
                return; // the router made the answer itself (no result set to mask)
            }
            int outcome = new Masker(p, binary, null).run();
            finish(r, outcome);
            if (binary && lastPlanIsCursor) {
                cursorPlans.put(stmtId, lastPlan);
            }
        }

        private void maskFetch(Reply r, Column[] plan) {
            byte[] p = r.packets();
            if (p == null || !r.isKnown()) {
                return;
            }
            finish(r, new Masker(p, true, plan).run());
        }

        private void finish(Reply r, int outcome) {
            if (outcome == Masker.LARGE) {
                if (abortLarge) {
                    largeRefused.incrementAndGet();
                    r.packets(new ErrPacket(ErrPacket.ER_UNKNOWN_ERROR, "HY000",
                            "The result has a row of 16 MiB or more, which the masking filter does not pass").encode(1));
                }
            } else if (outcome > 0) {
                resultsMasked.incrementAndGet();
                valuesMasked.addAndGet(outcome);
            }
        }

        private Column[] lastPlan;
        private boolean lastPlanIsCursor;
        private int lastPrepared = -1;

        /** The masking rule of one result column, or null. */
        record Column(int type, MaskingRules.Rule rule) {
        }

        /** Walks one collected reply and masks in place; run() returns values masked, or LARGE. */
        private final class Masker {
            static final int LARGE = -1;
            private final byte[] p;
            private final boolean binary;
            private final Column[] fetchPlan;
            private int pos;
            private int masked;

            Masker(byte[] p, boolean binary, Column[] fetchPlan) {
                this.p = p;
                this.binary = binary;
                this.fetchPlan = fetchPlan;
            }

            int run() {
                lastPlan = null;
                lastPlanIsCursor = false;
                if (fetchPlan != null) {
                    return rows(fetchPlan) ? masked : LARGE;
                }
                while (pos + Packets.HEADER < p.length) {
                    int h = p[pos + Packets.HEADER] & 0xff;
                    if (h == Packets.ERR || h == Packets.LOCAL_INFILE) {
                        return masked;
                    }
                    if (h == Packets.OK) {
                        int status = okStatus(pos);
                        pos = next(pos);
                        if ((status & 8) == 0) {
                            return masked;
                        }
                        continue;
                    }
                    int n = (int) lenenc(pos + Packets.HEADER);
                    pos = next(pos);
                    Column[] plan = new Column[n];
                    boolean any = false;
                    for (int i = 0; i < n && pos < p.length; i++) {
                        plan[i] = column(pos);
                        any |= plan[i] != null && plan[i].rule() != null;
                        pos = next(pos);
                    }
                    if (!deprecateEof && pos < p.length) {
                        pos = next(pos); // EOF after the column definitions
                    }
                    lastPlan = plan;
                    if (pos >= p.length) {
                        lastPlanIsCursor = true; // a cursor: the rows come with COM_STMT_FETCH
                        return masked;
                    }
                    if (!rows(any ? plan : null)) {
                        return LARGE;
                    }
                    if (pos >= p.length || (lastStatus & 8) == 0) {
                        return masked;
                    }
                }
                return masked;
            }

            private int lastStatus;

            /** Rows until the end of the result set; false on a 16 MiB packet. */
            private boolean rows(Column[] plan) {
                while (pos + Packets.HEADER <= p.length) {
                    int len = Packets.payloadLength(p, pos);
                    int h = len > 0 ? p[pos + Packets.HEADER] & 0xff : -1;
                    if (h == Packets.ERR) {
                        pos = p.length;
                        return true;
                    }
                    if (h == Packets.EOF && len < 9) {
                        lastStatus = len >= 5 && !deprecateEof ? int2(pos + Packets.HEADER + 3) : okStatus(pos);
                        pos = next(pos);
                        return true;
                    }
                    if (len == Packets.MAX_PAYLOAD) {
                        if (plan != null) {
                            return false;
                        }
                        while (pos < p.length && Packets.payloadLength(p, pos) == Packets.MAX_PAYLOAD) {
                            pos = next(pos);
                        }
                        pos = next(pos);
                        continue;
                    }
                    if (plan != null) {
                        if (binary) {
                            binaryRow(pos + Packets.HEADER, plan);
                        } else {
                            textRow(pos + Packets.HEADER, plan);
                        }
                    }
                    pos = next(pos);
                }
                return true;
            }

            private void textRow(int at, Column[] plan) {
                for (Column c : plan) {
                    int f = p[at] & 0xff;
                    if (f == 0xfb) {
                        at++;
                        continue;
                    }
                    int hl = f < 0xfb ? 1 : f == 0xfc ? 3 : f == 0xfd ? 4 : 9;
                    long vl = lenenc(at);
                    int start = at + hl;
                    if (c != null && c.rule() != null) {
                        apply(c.rule(), start, (int) vl);
                    }
                    at = start + (int) vl;
                }
            }

            private void binaryRow(int at, Column[] plan) {
                int n = plan.length;
                int bitmap = at + 1;
                int v = bitmap + (n + 7 + 2) / 8;
                for (int i = 0; i < n; i++) {
                    int bit = i + 2;
                    if ((p[bitmap + bit / 8] & (1 << (bit % 8))) != 0) {
                        continue; // NULL
                    }
                    int type = plan[i] == null ? 253 : plan[i].type();
                    int size = switch (type) {
                        case 1 -> 1;
                        case 2, 13 -> 2;
                        case 3, 4, 9 -> 4;
                        case 5, 8 -> 8;
                        case 6 -> 0;
                        case 7, 10, 11, 12, 17, 18, 19 -> -2;
                        default -> -1;
                    };
                    if (size >= 0) {
                        v += size;
                    } else if (size == -2) {
                        v += 1 + (p[v] & 0xff);
                    } else {
                        int f = p[v] & 0xff;
                        int hl = f < 0xfb ? 1 : f == 0xfc ? 3 : f == 0xfd ? 4 : 9;
                        long vl = lenenc(v);
                        if (plan[i] != null && plan[i].rule() != null) {
                            apply(plan[i].rule(), v + hl, (int) vl);
                        }
                        v += hl + (int) vl;
                    }
                }
            }

            private void apply(MaskingRules.Rule r, int start, int len) {
                masked++;
                if (r.obfuscate()) {
                    int h = 0x811c9dc5;
                    for (int i = 0; i < len; i++) {
                        h = (h ^ p[start + i]) * 0x01000193;
                    }
                    for (int i = 0; i < len; i++) {
                        int x = h ^ (i * 0x9E3779B9);
                        x ^= x >>> 15;
                        x *= 0x2c1b3c6d;
                        x ^= x >>> 12;
                        p[start + i] = (byte) ('a' + Math.floorMod(x, 26));
                    }
                    return;
                }
                if (r.match() != null) {
                    String s = new String(p, start, len, StandardCharsets.UTF_8);
                    var m = r.match().matcher(s);
                    while (m.find()) {
                        int bs = s.substring(0, m.start()).getBytes(StandardCharsets.UTF_8).length;
                        int be = s.substring(0, m.end()).getBytes(StandardCharsets.UTF_8).length;
                        for (int i = bs; i < be && i < len; i++) {
                            p[start + i] = r.fill();
                        }
                    }
                    return;
                }
                if (r.value() != null && r.value().length == len) {
                    System.arraycopy(r.value(), 0, p, start, len);
                    return;
                }
                for (int i = 0; i < len; i++) {
                    p[start + i] = r.fill();
                }
            }

            /** A column definition's rule (by its original names) if its type can be masked. */
            private Column column(int at) {
                int q = at + Packets.HEADER;
                String[] s = new String[6];
                for (int k = 0; k < (extendedMetadata ? 7 : 6); k++) {
                    int f = p[q] & 0xff;
                    int hl = f < 0xfb ? 1 : f == 0xfc ? 3 : f == 0xfd ? 4 : 9;
                    int vl = (int) lenenc(q);
                    if (k < 6) {
                        s[k] = new String(p, q + hl, vl, StandardCharsets.UTF_8);
                    } // the seventh: the extended type info (format=json, ...), skipped
                    q += hl + vl;
                }
                int type = p[q + 1 + 2 + 4] & 0xff; // after the 0x0c length, charset, column length
                MaskingRules.Rule rule = null;
                for (MaskingRules.Rule r : rules) {
                    if (r.covers(s[1], s[3], s[5])) {
                        rule = r;
                        break;
                    }
                }
                if (rule != null && !isString(type)) {
                    if (warnTypeMismatch) {
                        log.warn("masking: column {}.{}.{} has type {}, not a string type: not masked", s[1], s[3], s[5], type);
                    }
                    rule = null;
                }
                return new Column(type, rule);
            }

            private int next(int at) {
                return at + Packets.HEADER + Packets.payloadLength(p, at);
            }

            private int okStatus(int at) {
                int q = at + Packets.HEADER + 1;
                for (int k = 0; k < 2; k++) {
                    int f = p[q] & 0xff;
                    q += f < 0xfb ? 1 : f == 0xfc ? 3 : f == 0xfd ? 4 : 9;
                }
                return int2(q);
            }

            private int int2(int at) {
                return (p[at] & 0xff) | (p[at + 1] & 0xff) << 8;
            }

            private long lenenc(int at) {
                int f = p[at] & 0xff;
                if (f < 0xfb) {
                    return f;
                }
                int n = f == 0xfc ? 2 : f == 0xfd ? 3 : 8;
                long v = 0;
                for (int i = 0; i < n; i++) {
                    v |= (p[at + 1 + i] & 0xffL) << (8 * i);
                }
                return v;
            }
        }
    }

    /** An operator whose result would show a value under another name ({@code ssn + 0}, {@code ssn || ''}). */
    private static boolean isArithmetic(SqlWords.Token t) {
        if (t == null) {
            return false;
        }
        if (t.word()) {
            return t.is("DIV") || t.is("MOD");
        }
        return switch (t.text()) {
            case "+", "-", "*", "/", "%", "|", "&", "^", "~" -> true;
            default -> false;
        };
    }

    private static boolean isString(int type) {
        return type == 15 || type == 253 || type == 254 || (type >= 247 && type <= 252);
    }

    private static int stmtId(byte[] packet) {
        int o = Packets.HEADER + 1;
        return packet.length < o + 4 ? -1 : (packet[o] & 0xff) | (packet[o + 1] & 0xff) << 8 | (packet[o + 2] & 0xff) << 16
                | (packet[o + 3] & 0xff) << 24;
    }
}
