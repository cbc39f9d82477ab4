package io.loomscale.filter.ccrfilter;

import io.loomscale.classifier.Classifier;
import io.loomscale.classifier.QueryType;
import io.loomscale.config.FilterConfig;
import io.loomscale.config.Params;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterSession;
import io.loomscale.filter.SessionMatch;
import io.loomscale.hint.Hint;
import io.loomscale.session.Downstream;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;

import java.io.IOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * MaxScale 2.1's consistent critical read filter: after a session's data-modifying statement
 * (the classifier's WRITE), its following statements carry a route-to-primary hint, which
 * readwritesplit obeys, for {@code time} (default 60 s; a new write restarts it) or for the next
 * {@code count} statements (default 0); with both, a statement goes to the primary while either
 * holds. {@code match}: only writes matching it trigger; {@code ignore}: writes matching it do
 * not; {@code options} (ignorecase is the default here, as in MaxScale's), and a
 * {@code -- maxscale ccr=match|ignore} comment on the write overrides both. Text protocol only
 * (COM_QUERY), as in MaxScale.
 */
public final class CcrFilter implements Filter {
    static final Set<String> KEYS = Set.of("time", "count", "match", "ignore", "options");
    private static final Pattern COMMENT = Pattern.compile("maxscale\\s+ccr\\s*=\\s*(match|ignore)", Pattern.CASE_INSENSITIVE);
    private static final Hint TO_MASTER = Hint.route(Hint.Type.ROUTE_TO_MASTER);

    private final long timeNanos;
    private final int count;
    private final Pattern match;
    private final Pattern ignore;
    private final AtomicLong triggers = new AtomicLong();
    private final AtomicLong hinted = new AtomicLong();

    private CcrFilter(long timeNanos, int count, Pattern match, Pattern ignore) {
        this.timeNanos = timeNanos;
        this.count = count;
        this.match = match;
        this.ignore = ignore;
    }

    static CcrFilter create(FilterConfig config) {
        Params p = config.params();
        p.rejectUnknown(KEYS);
        Duration time = p.duration("time", Duration.ofSeconds(60), ChronoUnit.SECONDS);
        int count = p.integer("count", 0);
        if (count < 0) {
            throw p.error("count", "must not be negative", "statements, 0 = off");
        }
        int flags = p.has("options") ? SessionMatch.regexFlags(p) : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
        return new CcrFilter(time.toNanos(), count, SessionMatch.compile(p, "match", flags),
                SessionMatch.compile(p, "ignore", flags));
    }

    @Override
    public FilterSession newSession(SessionContext ctx) {
        return new FilterSession() {
            private long until;
            private int left;

            @Override
            public void onStatement(Statement st, Downstream next) throws IOException {
                if (st.isQuery()) {
                    CharSequence sql = st.sqlView();
                    long now = System.nanoTime();
                    if ((left > 0 || (until != 0 && now - until < 0))) {
                        st.addHint(TO_MASTER);
                        hinted.incrementAndGet();
                        if (left > 0) {
                            left--;
                        }
                    }
                    if ((Classifier.classify(sql) & QueryType.WRITE) != 0 && triggers(sql)) {
                        triggers.incrementAndGet();
                        until = timeNanos > 0 ? now + timeNanos : 0;
                        left = count;
                    }
                }
                next.route(st);
            }
        };
    }

    private boolean triggers(CharSequence sql) {
        String text = sql.toString();
        if (text.contains("ccr") || text.contains("CCR")) {
            var m = COMMENT.matcher(text);
            if (m.find()) {
                return m.group(1).equalsIgnoreCase("match");
            }
        }
        if (match != null && !match.matcher(text).find()) {
            return false;
        }
        return ignore == null || !ignore.matcher(text).find();
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("module", "ccrfilter");
        d.put("time_seconds", timeNanos / 1e9);
        d.put("count", count);
        d.put("match", match == null ? "" : match.pattern());
        d.put("ignore", ignore == null ? "" : ignore.pattern());
        d.put("triggers", triggers.get());
        d.put("statements_to_primary", hinted.get());
        return d;
    }
}
