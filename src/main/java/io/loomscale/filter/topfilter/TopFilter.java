package io.loomscale.filter.topfilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.config.Params;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterSession;
import io.loomscale.filter.LineWriter;
import io.loomscale.filter.SessionMatch;
import io.loomscale.session.Downstream;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MaxScale 2.1's top filter: for each session, the {@code count} (default 10) statements whose
 * replies took longest (from sending the statement to the end of its reply), written with the
 * session's totals to {@code FILEBASE.SESSIONID} when the session ends. {@code match},
 * {@code exclude}, {@code options}, {@code user} and {@code source} select what is measured.
 *
 * <p>Per statement it asks for the reply's end ({@link Statement#onReplyEnd}: no rows reach the
 * session) and keeps a min-heap of the {@code count} slowest; the report goes through a
 * {@link LineWriter}, so a session's end never waits on the disk.
 */
public final class TopFilter implements Filter {
    static final Set<String> KEYS = Set.of("count", "filebase", "match", "exclude", "options", "user", "source");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private final Path filebase;
    private final int count;
    private final SessionMatch match;
    private final LineWriter writer;
    private final AtomicLong reports = new AtomicLong();
    private final AtomicLong measured = new AtomicLong();

    private TopFilter(String name, Path filebase, int count, SessionMatch match) {
        this.filebase = filebase;
        this.count = count;
        this.match = match;
        this.writer = new LineWriter(name, 1_000);
    }

    static TopFilter create(FilterConfig config) {
        Params p = config.params();
        p.rejectUnknown(KEYS);
        String fb = p.string("filebase", null);
        if (fb == null || fb.isEmpty()) {
            throw p.error("filebase", "missing: topfilter needs the base name of its report files", "a path such as \"/var/log/loomscale/top\"");
        }
        Path filebase = Path.of(fb);
        String bad = LineWriter.checkWritableDir(filebase);
        if (bad != null) {
            org.slf4j.LoggerFactory.getLogger(TopFilter.class).warn("{}", p.error("filebase",
                    "reports cannot be written now: " + bad, "a path in an existing, writable directory").getMessage());
        }
        int count = p.integer("count", 10);
        if (count < 1 || count > 10_000) {
            throw p.error("count", "out of range: " + count, "1 to 10000");
        }
        return new TopFilter(config.name(), filebase, count, SessionMatch.from(p));
    }

    @Override
    public FilterSession newSession(SessionContext ctx) {
        if (!match.appliesTo(ctx)) {
            return (st, next) -> next.route(st);
        }
        return new TopSession(ctx);
    }

    /** Waits until the reports written so far are on disk (tests). */
    public boolean flush(long millis) {
        return writer.flush(millis);
    }

    @Override
    public void close() {
        writer.close();
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("module", "topfilter");
        d.put("filebase", filebase.toString());
        d.put("count", count);
        d.put("selection", match.toString());
        d.put("statements_measured", measured.get());
        d.put("reports_written", reports.get());
        d.put("lines_dropped", writer.dropped());
        return d;
    }

    private record Timed(long nanos, String sql) {
    }

    /** One session's measurements; its virtual thread only. */
    private final class TopSession implements FilterSession {
        /** It looks only at statements with SQL text (COM_QUERY, COM_STMT_PREPARE). */
        @Override
        public boolean passesUntouched(byte[] packet) {
            int c = packet[io.loomscale.protocol.Packets.HEADER] & 0xff;
            return c != io.loomscale.protocol.Commands.COM_QUERY && c != io.loomscale.protocol.Commands.COM_STMT_PREPARE;
        }

        private final SessionContext ctx;
        private final PriorityQueue<Timed> slowest = new PriorityQueue<>((a, b) -> Long.compare(a.nanos(), b.nanos()));
        private final long started = System.nanoTime();
        private final LocalDateTime startedAt = LocalDateTime.now();
        private long statements;
        private long totalNanos;

        TopSession(SessionContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void onStatement(Statement st, Downstream next) throws IOException {
            String sql = st.sql();
            if (sql != null && match.matches(sql)) {
                st.onReplyEnd(r -> add(r.nanos(), sql));
            }
            next.route(st);
        }

        private void add(long nanos, String sql) {
            statements++;
            totalNanos += nanos;
            measured.incrementAndGet();
            if (slowest.size() < count) {
                slowest.add(new Timed(nanos, sql));
            } else if (slowest.peek().nanos() < nanos) {
                slowest.poll();
                slowest.add(new Timed(nanos, sql));
            }
        }

        @Override
        public void close() {
            List<Timed> top = new ArrayList<>(slowest);
            top.sort((a, b) -> Long.compare(b.nanos(), a.nanos()));
            StringBuilder sb = new StringBuilder();
            sb.append("Top ").append(count).append(" longest running queries in session.\n");
            sb.append("==========================================\n\n");
            sb.append("Time (sec) | Query\n");
            sb.append("-----------+-----------------------------------------------------------------\n");
            for (Timed t : top) {
                sb.append(String.format(Locale.ROOT, "%10.3f |  ", t.nanos() / 1e9))
                        .append(t.sql().replace('\n', ' ').replace('\r', ' ')).append('\n');
            }
            sb.append("-----------+-----------------------------------------------------------------\n\n");
            double total = totalNanos / 1e9;
            sb.append("Session started ").append(DATE.format(startedAt)).append('\n');
            sb.append("Connection from ").append(SessionMatch.host(ctx.clientAddress())).append('\n');
            sb.append("Username        ").append(ctx.user()).append('\n');
            sb.append("Total of ").append(statements).append(" statements executed.\n");
            sb.append(String.format(Locale.ROOT, "Total statement execution time   %.3f seconds%n", total));
            sb.append(String.format(Locale.ROOT, "Average statement execution time %.3f seconds%n",
                    statements == 0 ? 0.0 : total / statements));
            sb.append(String.format(Locale.ROOT, "Total connection time            %.3f seconds",
                    (System.nanoTime() - started) / 1e9));
            reports.incrementAndGet();
            writer.writeAndClose(Path.of(filebase + "." + ctx.id()), sb.toString());
        }
    }
}
