package io.loomscale.filter.qlafilter;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MaxScale 2.1's query log all filter: one CSV line per SQL statement (COM_QUERY, COM_STMT_PREPARE)
 * in a file per session ({@code FILEBASE.SESSIONID}, {@code log_type = "session"}, the default),
 * one file for all sessions ({@code FILEBASE.unified}), or both. {@code log_data} picks the
 * fields, always in this order: service, session, date, user ({@code user@host}), reply_time
 * (milliseconds from sending the statement to the end of its reply), query (newlines become
 * spaces so that a statement stays one line). Each file starts with a header line naming them.
 *
 * <p>Sessions never wait on the disk: lines go to a {@link LineWriter} (bounded queue, one writer
 * thread, dropped lines counted in {@link #diagnostics()}); files are flushed whenever the queue
 * runs dry, or after every line with {@code flush = true}. A {@code filebase} whose directory is
 * missing or not writable is warned about at start (the lines are then counted as write errors). Only with {@code reply_time} does the
 * filter ask for the reply's end ({@link Statement#onReplyEnd}); otherwise the line is queued
 * when the statement passes and the reply is not followed at all.
 */
public final class QlaFilter implements Filter {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(QlaFilter.class);
    static final Set<String> KEYS = Set.of("filebase", "match", "exclude", "options", "user", "source", "log_type",
            "log_data", "queue_size", "flush");

    enum Field { SERVICE, SESSION, DATE, USER, REPLY_TIME, QUERY }

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private final String name;
    private final Path filebase;
    private final SessionMatch match;
    private final boolean sessionFiles;
    private final boolean unified;
    private final Path unifiedFile;
    private final EnumSet<Field> fields;
    private final String header;
    private final LineWriter writer;
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicLong logged = new AtomicLong();

    private QlaFilter(String name, Path filebase, SessionMatch match, boolean sessionFiles, boolean unified,
            EnumSet<Field> fields, int queueSize, boolean flush) {
        this.name = name;
        this.filebase = filebase;
        this.match = match;
        this.sessionFiles = sessionFiles;
        this.unified = unified;
        this.unifiedFile = Path.of(filebase + ".unified");
        this.fields = fields;
        StringBuilder h = new StringBuilder();
        for (Field f : fields) {
            h.append(h.isEmpty() ? "" : ",").append(switch (f) {
                case SERVICE -> "Service";
                case SESSION -> "Session";
                case DATE -> "Date";
                case USER -> "User@Host";
                case REPLY_TIME -> "Reply_time";
                case QUERY -> "Query";
            });
        }
        this.header = h.toString();
        this.writer = new LineWriter(name, queueSize, flush);
        if (unified && !Files.exists(unifiedFile)) {
            writer.write(unifiedFile, header);
        }
    }

    static QlaFilter create(FilterConfig config) {
        Params p = config.params();
        p.rejectUnknown(KEYS);
        String fb = p.string("filebase", null);
        if (fb == null || fb.isEmpty()) {
            throw p.error("filebase", "missing: qlafilter needs the base name of its log files", "a path such as \"/var/log/loomscale/qla\"");
        }
        Path filebase = Path.of(fb);
        String bad = LineWriter.checkWritableDir(filebase);
        if (bad != null) {
            log.warn("{}", p.error("filebase", "log files cannot be written now: " + bad, "a path in an existing, writable directory")
                    .getMessage());
        }
        SessionMatch match = SessionMatch.from(p);
        boolean session = false;
        boolean unified = false;
        for (String t : p.string("log_type", "session").split(",")) {
            switch (t.trim().toLowerCase(Locale.ROOT)) {
                case "session" -> session = true;
                case "unified" -> unified = true;
                default -> throw p.error("log_type", "unknown log type '" + t.trim() + "'", "session, unified");
            }
        }
        EnumSet<Field> fields = EnumSet.noneOf(Field.class);
        for (String d : p.string("log_data", "date,user,query").split(",")) {
            String f = d.trim().toLowerCase(Locale.ROOT);
            if (f.isEmpty()) {
                continue;
            }
            try {
                fields.add(Field.valueOf(f.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw p.error("log_data", "unknown field '" + d.trim() + "'", "service, session, date, user, reply_time, query");
            }
        }
        if (fields.isEmpty()) {
            throw p.error("log_data", "no field to log", "service, session, date, user, reply_time, query");
        }
        int queue = p.integer("queue_size", 10_000);
        if (queue < 1) {
            throw p.error("queue_size", "must be at least 1", "lines, default 10000");
        }
        return new QlaFilter(config.name(), filebase, match, session, unified, fields, queue, p.bool("flush", false));
    }

    @Override
    public FilterSession newSession(SessionContext ctx) {
        if (!match.appliesTo(ctx)) {
            return (st, next) -> next.route(st);
        }
        sessions.incrementAndGet();
        return new QlaSession(ctx);
    }

    @Override
    public void close() {
        writer.close();
    }

    /** Waits until what was logged so far is on disk (tests). */
    public boolean flush(long millis) {
        return writer.flush(millis);
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("module", "qlafilter");
        d.put("filebase", filebase.toString());
        d.put("log_type", (sessionFiles ? "session" : "") + (sessionFiles && unified ? "," : "") + (unified ? "unified" : ""));
        d.put("log_data", header);
        d.put("selection", match.toString());
        d.put("sessions", sessions.get());
        d.put("statements_logged", logged.get());
        d.put("lines_written", writer.written());
        d.put("lines_dropped", writer.dropped());
        d.put("write_errors", writer.failed());
        d.put("queued", writer.queued());
        return d;
    }

    /** One session's logging; runs on its virtual thread. */
    private final class QlaSession implements FilterSession {
        /** It looks only at statements with SQL text (COM_QUERY, COM_STMT_PREPARE). */
        @Override
        public boolean passesUntouched(byte[] packet) {
            int c = packet[io.loomscale.protocol.Packets.HEADER] & 0xff;
            return c != io.loomscale.protocol.Commands.COM_QUERY && c != io.loomscale.protocol.Commands.COM_STMT_PREPARE;
        }

        private final SessionContext ctx;
        private final Path sessionFile;
        private boolean headerWritten;

        QlaSession(SessionContext ctx) {
            this.ctx = ctx;
            this.sessionFile = sessionFiles ? Path.of(filebase + "." + ctx.id()) : null;
        }

        @Override
        public void onStatement(Statement st, Downstream next) throws IOException {
            String sql = st.sql();
            if (sql != null && match.matches(sql)) {
                LocalDateTime when = fields.contains(Field.DATE) ? LocalDateTime.now() : null;
                if (fields.contains(Field.REPLY_TIME)) {
                    st.onReplyEnd(r -> log(sql, when, r.nanos()));
                } else {
                    log(sql, when, -1);
                }
            }
            next.route(st);
        }

        private void log(String sql, LocalDateTime when, long nanos) {
            StringBuilder sb = new StringBuilder(sql.length() + 64);
            for (Field f : fields) {
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                switch (f) {
                    case SERVICE -> sb.append(ctx.serviceName());
                    case SESSION -> sb.append(ctx.id());
                    case DATE -> sb.append(DATE.format(when));
                    case USER -> sb.append(ctx.user()).append('@').append(SessionMatch.host(ctx.clientAddress()));
                    case REPLY_TIME -> sb.append(String.format(Locale.ROOT, "%.3f", nanos / 1e6));
                    case QUERY -> appendOneLine(sb, sql);
                }
            }
            String line = sb.toString();
            logged.incrementAndGet();
            if (sessionFile != null) {
                if (!headerWritten) {
                    headerWritten = true;
                    writer.write(sessionFile, header);
                }
                writer.write(sessionFile, line);
            }
            if (unified) {
                writer.write(unifiedFile, line);
            }
        }

        @Override
        public void close() {
            if (sessionFile != null && headerWritten) {
                writer.closeFile(sessionFile);
            }
        }
    }

    private static void appendOneLine(StringBuilder sb, String sql) {
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            sb.append(c == '\n' || c == '\r' ? ' ' : c);
        }
    }
}
