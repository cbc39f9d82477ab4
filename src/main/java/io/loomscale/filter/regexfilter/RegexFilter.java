package io.loomscale.filter.regexfilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.config.Params;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterSession;
import io.loomscale.filter.LineWriter;
import io.loomscale.filter.SessionMatch;
import io.loomscale.protocol.PacketBuilder;
import io.loomscale.session.Downstream;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MaxScale 2.1's regex filter: every occurrence of {@code match} in a COM_QUERY's text is
 * replaced by {@code replace} ({@code $1}... name groups, as java.util.regex writes them) before
 * the statement goes on. {@code options} (ignorecase, case, extended), {@code user} and
 * {@code source} as in the other filters; {@code log_file} gets a line per statement looked at
 * (through a {@link LineWriter}, never blocking the session), {@code log_trace} logs the same at
 * INFO level. Only COM_QUERY is rewritten (a prepared statement's text is not, as in MaxScale).
 */
public final class RegexFilter implements Filter {
    private static final Logger log = LoggerFactory.getLogger(RegexFilter.class);
    static final Set<String> KEYS = Set.of("match", "replace", "options", "user", "source", "log_file", "log_trace");

    private final Pattern match;
    private final String replace;
    private final SessionMatch sessions;
    private final Path logFile;
    private final LineWriter writer;
    private final boolean trace;
    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();

    private RegexFilter(Pattern match, String replace, SessionMatch sessions, Path logFile, boolean trace, String name) {
        this.match = match;
        this.replace = replace;
        this.sessions = sessions;
        this.logFile = logFile;
        this.writer = logFile == null ? null : new LineWriter(name, 10_000);
        this.trace = trace;
    }

    static RegexFilter create(FilterConfig config) {
        Params p = config.params();
        p.rejectUnknown(KEYS);
        if (!p.has("match")) {
            throw p.error("match", "missing: regexfilter needs the regular expression to look for", "a regular expression");
        }
        Pattern match = SessionMatch.compile(p, "match", SessionMatch.regexFlags(p));
        if (!p.has("replace")) {
            throw p.error("replace", "missing: regexfilter needs the replacement text", "a string ($1.. for groups)");
        }
        String replace = p.string("replace", "");
        try {
            match.matcher("").replaceAll(replace); // a bad group reference fails here, not per statement
            checkGroups(match, replace);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw p.error("replace", "bad replacement: " + e.getMessage(), "text with $N group references the match has");
        }
        String lf = p.string("log_file", null);
        Path logFile = null;
        if (lf != null && !lf.isEmpty()) {
            logFile = Path.of(lf);
            String bad = LineWriter.checkWritableDir(logFile);
            if (bad != null) {
                log.warn("{}", p.error("log_file", "cannot be written now: " + bad, "a file in an existing, writable directory")
                        .getMessage());
            }
        }
        return new RegexFilter(match, replace, SessionMatch.sessionsOnly(p), logFile, p.bool("log_trace", false),
                config.name());
    }

    /** Every {@code $N} in the replacement must name a group of the pattern. */
    private static void checkGroups(Pattern match, String replace) {
        int groups = match.matcher("").groupCount();
        for (int i = 0; i < replace.length() - 1; i++) {
            char c = replace.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '$' && Character.isDigit(replace.charAt(i + 1))) {
                int g = replace.charAt(i + 1) - '0';
                if (g > groups) {
                    throw new IllegalArgumentException("no group " + g + " in the match (it has " + groups + ")");
                }
            }
        }
    }

    @Override
    public FilterSession newSession(SessionContext ctx) {
        if (!sessions.appliesTo(ctx)) {
            return FilterSession.PASS;
        }
        return new FilterSession() {
            @Override
            public void onStatement(Statement st, Downstream next) throws IOException {
                RegexFilter.this.onStatement(st, next);
            }

            @Override
            public boolean passesUntouched(byte[] packet) {
                return (packet[io.loomscale.protocol.Packets.HEADER] & 0xff) != io.loomscale.protocol.Commands.COM_QUERY;
            }
        };
    }

    private void onStatement(Statement st, Downstream next) throws IOException {
        if (st.isQuery()) {
            String sql = st.sql();
            seen.incrementAndGet();
            Matcher m = match.matcher(sql);
            if (m.find()) {
                String rewritten = m.replaceAll(replace);
                replaced.incrementAndGet();
                st.packet(new PacketBuilder(rewritten.length() + 8).int1(3).string(rewritten).build(0));
                note("Matched: " + sql + " -> Replacement: " + rewritten);
            } else if (writer != null || trace) {
                note("No match: " + sql);
            }
        }
        next.route(st);
    }

    private void note(String line) {
        if (writer != null) {
            writer.write(logFile, line.replace('\n', ' '));
        }
        if (trace) {
            log.info("regexfilter: {}", line);
        }
    }

    /** Waits until the log file has what was queued (tests). */
    public boolean flush(long millis) {
        return writer == null || writer.flush(millis);
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("module", "regexfilter");
        d.put("match", match.pattern());
        d.put("replace", replace);
        d.put("selection", sessions.toString());
        d.put("queries", seen.get());
        d.put("replacements", replaced.get());
        if (writer != null) {
            d.put("log_file", logFile.toString());
            d.put("lines_dropped", writer.dropped());
        }
        return d;
    }
}
