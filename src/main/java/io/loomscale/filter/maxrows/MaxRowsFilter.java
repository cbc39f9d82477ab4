package io.loomscale.filter.maxrows;

import io.loomscale.config.FilterConfig;
import io.loomscale.config.Params;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterSession;
import io.loomscale.protocol.Capabilities;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.OkPacket;
import io.loomscale.protocol.PacketBuilder;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ServerStatus;
import io.loomscale.session.Downstream;
import io.loomscale.session.Reply;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MaxScale 2.1's maxrows filter: a result set (of COM_QUERY or COM_STMT_EXECUTE, text or binary)
 * with more than {@code max_resultset_rows} rows (default: no limit; 0 or less = none) or more
 * than {@code max_resultset_size} bytes (default 64Ki; sizes as {@code 128Ki}, {@code 1Mi},
 * {@code 1M}, or bytes) does not reach the client; instead, per {@code max_resultset_return}:
 * {@code empty} (the default) the result set's column definitions and no rows, {@code error} an
 * error naming the statement, {@code ok} an OK packet. OK and ERR replies pass unchanged.
 * {@code debug} > 0 logs each limit hit at INFO, >= 2 also each result let through.
 *
 * <p>It asks the session for each such reply whole ({@link Statement#collectReply(
 * io.loomscale.session.ReplyListener, long)}), keeping at most {@code max_resultset_size} bytes
 * of it, so a huge result costs that much memory and no more; only whole replies within both
 * limits go to the client as they came. A stored procedure's several result sets are counted
 * together; over the limit, the client gets the first one's columns only. Rows a cursor fetches
 * later (COM_STMT_FETCH) are not limited.
 */
public final class MaxRowsFilter implements Filter {
    private static final Logger log = LoggerFactory.getLogger(MaxRowsFilter.class);
    static final Set<String> KEYS = Set.of("max_resultset_rows", "max_resultset_size", "max_resultset_return", "debug");

    enum Mode { EMPTY, ERROR, OK }

    private final long maxRows;
    private final long maxSize;
    private final Mode mode;
    private final int debug;
    private final AtomicLong checked = new AtomicLong();
    private final AtomicLong limited = new AtomicLong();

    private MaxRowsFilter(long maxRows, long maxSize, Mode mode, int debug) {
        this.maxRows = maxRows;
        this.maxSize = maxSize;
        this.mode = mode;
        this.debug = debug;
    }

    static MaxRowsFilter create(FilterConfig config) {
        Params p = config.params();
        p.rejectUnknown(KEYS);
        long rows = p.longValue("max_resultset_rows", -1);
        long size = MaxRowsSizes.size(p, "max_resultset_size", 64 * 1024);
        String ret = p.string("max_resultset_return", "empty").toLowerCase(Locale.ROOT);
        Mode mode = switch (ret) {
            case "empty" -> Mode.EMPTY;
            case "error" -> Mode.ERROR;
            case "ok" -> Mode.OK;
            default -> throw p.error("max_resultset_return", "unknown value '" + ret + "'", "empty, error, ok");
        };
        int debug = p.integer("debug", 0);
        if (debug < 0) {
            throw p.error("debug", "must not be negative", "0 (off), 1 (limit hits), 2 (every result)");
        }
        return new MaxRowsFilter(rows, size, mode, debug);
    }

    @Override
    public FilterSession newSession(SessionContext ctx) {
        boolean deprecateEof = Capabilities.has(ctx.clientCapabilities(), Capabilities.DEPRECATE_EOF);
        return new FilterSession() {
            @Override
            public void onStatement(Statement st, Downstream next) throws IOException {
                int c = st.command();
                if (c == Commands.COM_QUERY || c == Commands.COM_STMT_EXECUTE) {
                    String sql = st.sql();
                    st.collectReply(r -> check(r, deprecateEof, sql, ctx), maxSize > 0 ? maxSize : Long.MAX_VALUE);
                }
                next.route(st);
            }
        };
    }

    private void check(Reply r, boolean deprecateEof, String sql, SessionContext ctx) {
        byte[] p = r.packets();
        if (p == null || !r.isKnown() || p.length <= Packets.HEADER) {
            return;
        }
        int first = p[Packets.HEADER] & 0xff;
        if (first == Packets.OK || first == Packets.ERR || first == Packets.LOCAL_INFILE) {
            return;
        }
        checked.incrementAndGet();
        boolean overRows = maxRows > 0 && r.rows() > maxRows;
        boolean overSize = maxSize > 0 && r.bytes() > maxSize;
        if (!overRows && !overSize && !r.isTruncated()) {
            if (debug >= 2) {
                log.info("maxrows: session {}: {} rows, {} bytes: sent", ctx.id(), r.rows(), r.bytes());
            }
            return;
        }
        limited.incrementAndGet();
        if (debug >= 1) {
            log.info("maxrows: session {}: {} rows, {} bytes is over the limit ({} rows, {} bytes): sending {}", ctx.id(),
                    r.rows(), r.bytes(), maxRows, maxSize, mode.name().toLowerCase(Locale.ROOT));
        }
        int status = r.status() & ~ServerStatus.MORE_RESULTS_EXISTS;
        byte[] out = switch (mode) {
            case EMPTY -> emptyResult(p, deprecateEof, status);
            case OK -> OkPacket.simple(1, status);
            case ERROR -> null;
        };
        if (out == null) {
            out = new ErrPacket(ErrPacket.ER_UNKNOWN_ERROR, "HY000", "Result of this statement is over the maxrows limit ("
                    + (overRows ? r.rows() + " rows > " + maxRows : r.bytes() + " bytes > " + maxSize) + "): "
                    + (sql == null ? "(prepared statement)" : sql)).encode(1);
        }
        r.packets(out);
    }

    /**
     * The first result set's column count and definitions (and their EOF without
     * CLIENT_DEPRECATE_EOF), then the end of rows; null when the kept part does not hold all the
     * definitions.
     */
    static byte[] emptyResult(byte[] p, boolean deprecateEof, int status) {
        int pos = 0;
        int columns = (int) lenenc(p, Packets.HEADER);
        int packets = 1 + columns + (deprecateEof ? 0 : 1);
        for (int i = 0; i < packets; i++) {
            if (pos + Packets.HEADER > p.length) {
                return null;
            }
            pos += Packets.HEADER + Packets.payloadLength(p, pos);
            if (pos > p.length) {
                return null;
            }
        }
        int seq = sequenceAt(p, lastStart(p, pos)) + 1;
        byte[] end = deprecateEof
                ? new PacketBuilder(12).int1(Packets.EOF).lenenc(0).lenenc(0).int2(status).int2(0).build(seq & 0xff)
                : new PacketBuilder(8).int1(Packets.EOF).int2(0).int2(status).build(seq & 0xff);
        byte[] out = new byte[pos + end.length];
        System.arraycopy(p, 0, out, 0, pos);
        System.arraycopy(end, 0, out, pos, end.length);
        return out;
    }

    private static int lastStart(byte[] p, int end) {
        int pos = 0;
        int last = 0;
        while (pos < end) {
            last = pos;
            pos += Packets.HEADER + Packets.payloadLength(p, pos);
        }
        return last;
    }

    private static int sequenceAt(byte[] p, int start) {
        return p[start + 3] & 0xff;
    }

    private static long lenenc(byte[] b, int pos) {
        int f = b[pos] & 0xff;
        if (f < 0xfb) {
            return f;
        }
        int n = f == 0xfc ? 2 : f == 0xfd ? 3 : 8;
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (b[pos + 1 + i] & 0xffL) << (8 * i);
        }
        return v;
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("module", "maxrows");
        d.put("max_resultset_rows", maxRows);
        d.put("max_resultset_size", maxSize);
        d.put("max_resultset_return", mode.name().toLowerCase(Locale.ROOT));
        d.put("debug", debug);
        d.put("result_sets_checked", checked.get());
        d.put("result_sets_limited", limited.get());
        return d;
    }
}
