package io.loomscale.protocol;

import java.nio.ByteBuffer;

/**
 * Knows where each reply of one backend connection ends, without buffering it: a state machine
 * over OK / ERR / EOF / result sets / "more results", fed one packet at a time with only the
 * first bytes of each payload (at most {@link #PEEK} bytes: enough for the header byte, the
 * lengths and the status flags).
 *
 * <p>Threads: the session (a virtual thread) announces each command's expected reply with
 * {@link #expect(int)} <em>before</em> writing the command; the backend's selector thread consumes
 * replies with {@link #onPacket}. The two meet in a single-producer single-consumer ring of
 * {@code int}s, so announcing a command allocates nothing.
 *
 * @see <a href="https://mariadb.com/kb/en/result-set-packets/">MariaDB: result set packets</a>
 */
public final class ReplyTracker {
    /** Payload bytes {@link #onPacket} needs to see (fewer if the payload is shorter). */
    public static final int PEEK = 32;

    // Reply kinds (low 4 bits of an expectation).
    /** COM_QUERY / COM_STMT_EXECUTE / bulk: OK, ERR, LOCAL INFILE request, or result sets, chained by MORE_RESULTS. */
    public static final int RESULT = 1;
    /** COM_STMT_PREPARE: ERR or prepare-OK followed by parameter and column definitions. */
    public static final int PREPARE = 2;
    /** COM_STMT_FETCH: rows then EOF, or ERR. */
    public static final int FETCH = 3;
    /** COM_FIELD_LIST: column definitions then EOF, or ERR. */
    public static final int FIELD_LIST = 4;
    /** Any command answered by exactly one packet (OK, ERR, EOF, or COM_STATISTICS' string). */
    public static final int ONE_PACKET = 5;
    /** COM_BINLOG_DUMP(_GTID): events until ERR or EOF. */
    public static final int STREAM = 6;

    /** Forward the reply's packets to the client. */
    public static final int FORWARD = 1 << 4;
    /** Tell the session when the reply ends. */
    public static final int NOTIFY = 1 << 5;
    /** Hand the reply's packets to the session instead of the client. */
    public static final int CAPTURE = 1 << 6;
    /** The EXECUTE asked for a cursor: the reply ends after the column definitions. */
    public static final int CURSOR = 1 << 7;
    /**
     * Compute a checksum of the reply while it passes (whatever else is done with it), for
     * readwritesplit's transaction replay: see {@link #isStatusPacket()}.
     */
    public static final int CHECKSUM = 1 << 8;
    /**
     * Keep the whole reply and hand it to the session in one piece when it ends (a filter that
     * inspects or changes replies asked for it); nothing reaches the client meanwhile.
     */
    public static final int COLLECT = 1 << 9;
    /**
     * Bits from here up carry the session's ticket for the statement whose reply this is (the
     * session uses them to match a reply's end to its filters; the tracker ignores them).
     */
    public static final int TICKET_SHIFT = 16;

    private static final int RING = 256;

    private enum State { START, COLUMNS, COLUMNS_EOF, ROWS, PREP_PARAMS, PREP_PARAMS_EOF, PREP_COLUMNS,
        PREP_COLUMNS_EOF, FIELDS, ONE, STREAM }

    private final int[] ring = new int[RING];
    private volatile long head; // next to consume (selector thread writes)
    private volatile long tail; // next free (session thread writes)

    private final boolean deprecateEof;
    private State state = State.START;
    private long remaining;
    private long prepColumns;
    private int lastStatus = ServerStatus.AUTOCOMMIT;
    private int lastHeader;
    private boolean inSplit;
    private boolean startedCurrent;
    private boolean statusPacket;
    private long rows;
    private long lastRows;
    /** The server asked for a LOCAL INFILE file and has not answered the upload yet. */
    private volatile boolean receivingFile;

    /** @param deprecateEof whether CLIENT_DEPRECATE_EOF was negotiated with the backend */
    public ReplyTracker(boolean deprecateEof) {
        this.deprecateEof = deprecateEof;
    }

    /** Announces the reply to the next command; returns false if 256 replies are already outstanding. */
    public boolean expect(int expectation) {
        long t = tail;
        if (t - head >= RING) {
            return false;
        }
        ring[(int) (t & (RING - 1))] = expectation;
        tail = t + 1;
        return true;
    }

    /** Number of replies announced and not yet ended. */
    public int outstanding() {
        return (int) (tail - head);
    }

    public boolean isIdle() {
        return tail == head;
    }

    /** The expectation of the reply now being read, or 0 if none is outstanding. */
    public int current() {
        long h = head;
        return h == tail ? 0 : ring[(int) (h & (RING - 1))];
    }

    /** Whether the current reply has seen at least one packet. */
    public boolean hasStarted() {
        return startedCurrent;
    }

    /**
     * Whether a LOAD DATA LOCAL upload is under way: the server asked for the file and has not
     * answered yet. Every client packet until then is file data, whatever its sequence id (ids
     * wrap past 255 to 0) or first byte. Any thread.
     */
    public boolean isReceivingFile() {
        return receivingFile;
    }

    /**
     * Whether the packet just fed is an OK or EOF (status flags, warnings, session state: what
     * may differ between two servers that return the same result) rather than data (a column
     * count, definition or row, an ERR). Valid after {@link #onPacket}; selector thread.
     */
    public boolean isStatusPacket() {
        return statusPacket;
    }

    /** Status flags of the last OK/EOF seen. */
    public int lastStatus() {
        return lastStatus;
    }

    /** Rows of the last reply that ended (every result set of it; 0 for OK, ERR and the like). */
    public long lastRows() {
        return lastRows;
    }

    /** First payload byte of the packet that ended the last reply (0x00 OK, 0xff ERR, ...). */
    public int lastHeader() {
        return lastHeader;
    }

    /**
     * Feeds one packet (or one 16 MiB part of a split packet). {@code b} holds at least
     * {@code min(payloadLength, PEEK)} payload bytes from {@code payloadPos}. Returns true when this
     * packet ends the current reply (the expectation is then consumed).
     *
     * @throws ProtocolException if the packet does not fit the reply state or nothing was expected
     */
    public boolean onPacket(ByteBuffer b, int payloadPos, int payloadLength) {
        if (head == tail) {
            throw new ProtocolException("unexpected packet from server: no reply outstanding");
        }
        startedCurrent = true;
        boolean split = payloadLength == Packets.MAX_PAYLOAD;
        if (inSplit) {
            // Continuation of a split packet: only its end matters.
            inSplit = split;
            statusPacket = false;
            return false;
        }
        inSplit = split;
        int first = payloadLength > 0 ? b.get(payloadPos) & 0xff : -1;
        int kind = current() & 0xf;
        State before = state;
        statusPacket = before == State.START ? kind != FETCH && kind != PREPARE && (first == Packets.OK || first == Packets.EOF)
                : before != State.COLUMNS && before != State.PREP_PARAMS && before != State.PREP_COLUMNS && isEof(first, payloadLength);
        boolean ended = switch (state) {
            case START -> start(kind, b, payloadPos, payloadLength, first);
            case COLUMNS -> {
                if (--remaining == 0) {
                    state = deprecateEof ? State.ROWS : State.COLUMNS_EOF;
                }
                yield false;
            }
            case COLUMNS_EOF -> {
                lastStatus = eofStatus(b, payloadPos, payloadLength);
                if ((current() & CURSOR) != 0 && (lastStatus & ServerStatus.CURSOR_EXISTS) != 0) {
                    yield end(first);
                }
                state = State.ROWS;
                yield false;
            }
            case ROWS -> rows(b, payloadPos, payloadLength, first);
            case PREP_PARAMS -> {
                if (--remaining == 0) {
                    state = deprecateEof ? afterParams() : State.PREP_PARAMS_EOF;
                    yield state == State.START;
                }
                yield false;
            }
            case PREP_PARAMS_EOF -> {
                state = afterParams();
                yield state == State.START;
            }
            case PREP_COLUMNS -> {
                if (--remaining == 0) {
                    state = deprecateEof ? State.START : State.PREP_COLUMNS_EOF;
                    yield state == State.START;
                }
                yield false;
            }
            case PREP_COLUMNS_EOF -> {
                state = State.START;
                yield true;
            }
            case FIELDS, STREAM -> {
                if (first == Packets.ERR || isEof(first, payloadLength)) {
                    if (first != Packets.ERR) {
                        lastStatus = eofStatus(b, payloadPos, payloadLength);
                    }
                    yield end(first);
                }
                yield false;
            }
            case ONE -> end(first);
        };
        if (ended) {
            lastHeader = first;
            lastRows = rows;
            rows = 0;
            state = State.START;
            startedCurrent = false;
            receivingFile = false;
            head = head + 1;
        }
        return ended;
    }

    private boolean end(int first) {
        lastHeader = first;
        return true;
    }

    private State afterParams() {
        if (prepColumns > 0) {
            remaining = prepColumns;
            return State.PREP_COLUMNS;
        }
        return State.START;
    }

    private boolean start(int kind, ByteBuffer b, int pos, int len, int first) {
        switch (kind) {
            case ONE_PACKET:
                if (first == Packets.OK || first == Packets.EOF) {
                    lastStatus = first == Packets.OK ? okStatus(b, pos, len, lastStatus) : eofStatus(b, pos, len);
                }
                return true;
            case FETCH:
                state = State.ROWS;
                return rows(b, pos, len, first);
            case FIELD_LIST:
                state = State.FIELDS;
                if (first == Packets.ERR || isEof(first, len)) {
                    return true;
                }
                return false;
            case STREAM:
                state = State.STREAM;
                return first == Packets.ERR || isEof(first, len);
            case PREPARE:
                if (first == Packets.ERR) {
                    return true;
                }
                if (first != Packets.OK || len < 12) {
                    throw new ProtocolException("prepare reply header: 0x" + Integer.toHexString(first)
                            + ", length " + len + " (expected: 0x00 with length >= 12)");
                }
                long columns = (b.get(pos + 5) & 0xff) | (b.get(pos + 6) & 0xff) << 8;
                long params = (b.get(pos + 7) & 0xff) | (b.get(pos + 8) & 0xff) << 8;
                prepColumns = columns;
                if (params > 0) {
                    remaining = params;
                    state = State.PREP_PARAMS;
                    return false;
                }
                state = afterParams();
                return state == State.START;
            default: // RESULT
                if (first == Packets.ERR) {
                    return true;
                }
                if (first == Packets.OK || first == Packets.EOF) {
                    lastStatus = first == Packets.OK ? okStatus(b, pos, len, lastStatus) : eofStatus(b, pos, len);
                    return (lastStatus & ServerStatus.MORE_RESULTS_EXISTS) == 0;
                }
                if (first == Packets.LOCAL_INFILE) {
                    // The client now sends the file; the server then answers with OK or ERR.
                    receivingFile = true;
                    return false;
                }
                remaining = lenenc(b, pos, len);
                if (remaining <= 0) {
                    throw new ProtocolException("column count: " + remaining + " (expected: > 0)");
                }
                state = State.COLUMNS;
                return false;
        }
    }

    private boolean rows(ByteBuffer b, int pos, int len, int first) {
        if (first == Packets.ERR) {
            return true;
        }
        if (isEof(first, len)) {
            lastStatus = deprecateEof && len > 5 ? okStatus(b, pos, len, lastStatus) : eofStatus(b, pos, len);
            if ((lastStatus & ServerStatus.MORE_RESULTS_EXISTS) != 0 && (current() & 0xf) == RESULT) {
                state = State.START;
                return false;
            }
            return true;
        }
        rows++; // a row: counting it is the only work a row costs here
        return false;
    }

    /** An EOF (or an OK in EOF's place): 0xfe and not a length-encoded row value (those are >= 16 MiB). */
    private static boolean isEof(int first, int len) {
        return first == Packets.EOF && len < Packets.MAX_PAYLOAD && len < 0xffffff;
    }

    private static int eofStatus(ByteBuffer b, int pos, int len) {
        if (len >= 5) {
            return (b.get(pos + 3) & 0xff) | (b.get(pos + 4) & 0xff) << 8;
        }
        return 0;
    }

    /** Status flags of an OK packet: after the header byte and two length-encoded integers. */
    static int okStatus(ByteBuffer b, int pos, int len, int dflt) {
        int p = pos + 1;
        int end = pos + Math.min(len, PEEK);
        p = skipLenenc(b, p, end);
        if (p < 0) {
            return dflt;
        }
        p = skipLenenc(b, p, end);
        if (p < 0 || p + 2 > end) {
            return dflt;
        }
        return (b.get(p) & 0xff) | (b.get(p + 1) & 0xff) << 8;
    }

    /**
     * The position after the length-encoded integer at {@code p}, or -1 when it does not end
     * before {@code end}.
     */
    public static int skipLenenc(ByteBuffer b, int p, int end) {
        if (p >= end) {
            return -1;
        }
        int f = b.get(p) & 0xff;
        int n = f < 0xfb ? 1 : f == 0xfc ? 3 : f == 0xfd ? 4 : f == 0xfe ? 9 : 1;
        return p + n <= end ? p + n : -1;
    }

    private static long lenenc(ByteBuffer b, int pos, int len) {
        int f = b.get(pos) & 0xff;
        if (f < 0xfb) {
            return f;
        }
        int n = f == 0xfc ? 2 : f == 0xfd ? 3 : f == 0xfe ? 8 : -1;
        if (n < 0 || len < 1 + n) {
            throw new ProtocolException("bad length-encoded column count");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (b.get(pos + 1 + i) & 0xffL) << (8 * i);
        }
        return v;
    }

    /**
     * The reply kind a client command expects, or 0 when the server answers nothing
     * (COM_QUIT, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA).
     *
     * @param packet a whole client packet with sequence id 0, header included
     */
    public static int kindOf(byte[] packet) {
        int cmd = packet.length > Packets.HEADER ? packet[Packets.HEADER] & 0xff : -1;
        return switch (cmd) {
            case Commands.COM_QUERY, Commands.COM_STMT_BULK_EXECUTE, Commands.COM_PROCESS_INFO -> RESULT;
            case Commands.COM_STMT_EXECUTE -> packet.length > Packets.HEADER + 5 && (packet[Packets.HEADER + 5] & 0x07) != 0
                    ? RESULT | CURSOR : RESULT;
            case Commands.COM_STMT_PREPARE -> PREPARE;
            case Commands.COM_STMT_FETCH -> FETCH;
            case Commands.COM_FIELD_LIST -> FIELD_LIST;
            case Commands.COM_BINLOG_DUMP, Commands.COM_BINLOG_DUMP_GTID -> STREAM;
            case Commands.COM_QUIT, Commands.COM_STMT_CLOSE, Commands.COM_STMT_SEND_LONG_DATA -> 0;
            default -> ONE_PACKET;
        };
    }

    /** Drops every outstanding expectation (the connection is being closed or reset). */
    public void reset() {
        head = tail;
        state = State.START;
        inSplit = false;
        startedCurrent = false;
        receivingFile = false;
        rows = 0;
    }
}
