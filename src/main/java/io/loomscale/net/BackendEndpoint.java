package io.loomscale.net;

import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ProtocolException;
import io.loomscale.protocol.ReplyTracker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * A logged-in backend connection's socket. The loop reads replies, lets the {@link ReplyTracker}
 * find where each ends, and, for replies marked {@link ReplyTracker#FORWARD}, writes the bytes to
 * the client straight from the read buffer: rows are never copied into objects, a large row
 * streams through in buffer-sized pieces, and a client that cannot keep up pauses this socket
 * (bounded memory). Replies marked {@link ReplyTracker#CAPTURE} are copied out packet by packet
 * for the session; replies marked {@link ReplyTracker#COLLECT} are gathered into one array handed
 * to the session when the reply ends (a filter that edits replies asked for it: one hand-off per
 * reply, not per packet); the rest are dropped. Every reply's end reports its rows (counted by
 * the tracker) and bytes, which costs two additions per packet and allocates nothing.
 *
 * <p>Threads: reads and the tracker run on the loop thread; {@link #send} and the waits run on
 * the session's virtual thread.
 */
public final class BackendEndpoint extends Endpoint {
    /** The session's side of a backend connection. Called on the loop thread; must not block. */
    public interface Listener {
        /**
         * A reply with {@link ReplyTracker#NOTIFY} or {@link ReplyTracker#CAPTURE} ended;
         * {@code header} is its last packet's first byte, {@code rows} and {@code bytes} its row
         * packets and its size (headers included), {@code collected} the whole reply when it was
         * marked {@link ReplyTracker#COLLECT} (else null).
         */
        void replyEnded(BackendEndpoint backend, int expectation, int header, int status, long rows, long bytes,
                byte[] collected);

        /** One packet of a reply with {@link ReplyTracker#CAPTURE}, header included. */
        void captured(BackendEndpoint backend, byte[] packet);

        /** The connection broke; {@code serverPacket} is an unsolicited packet the server sent first (an ERR on shutdown or kill), or null. */
        void backendFailed(BackendEndpoint backend, IOException cause, byte[] serverPacket);
    }

    /** Session writes wait while more than this is queued for the socket. */
    static final long WRITE_LIMIT = 4L << 20;

    private final ReplyTracker tracker;
    private volatile LoadGauge gauge;
    /** When the connection last went from idle to busy (for the response time). */
    private volatile long busySince;
    private volatile Listener listener;
    private volatile ClientEndpoint client;
    private volatile Thread waiter;

    // Loop-thread state.
    private ByteBuffer buf;
    private int packetRemaining;   // bytes of the current packet (header included) not yet consumed
    private int disposition;       // FORWARD, CAPTURE or 0 (drop) for the current packet
    private int endingExpectation; // non-zero when the current packet ends a reply
    private int endingStatus;
    private boolean endingChecksum;
    private byte[] capture;
    private int captureFill;
    private byte[] collect;
    private int collectFill;
    private int collectWhole;     // collectFill at the end of the last whole packet kept
    private long collectCap;
    private boolean collectOverflow;
    private volatile long collectLimit = Long.MAX_VALUE;
    private long replyBytes;
    private int lastSeq;
    /** The running checksum of a reply with {@link ReplyTracker#CHECKSUM}, or null when never asked for. */
    private java.util.zip.CRC32C crc;
    /** Whether the rest of the current packet's payload goes into {@link #crc}. */
    private boolean crcPayload;
    /** Header bytes of the current packet still to skip before its payload (for the checksum). */
    private int crcSkip;
    /** The checksum of the last reply that ended with {@link ReplyTracker#CHECKSUM}; see {@link #replyChecksum()}. */
    private volatile long replyChecksum;

    public BackendEndpoint(SocketChannel channel, EventLoop loop, ReplyTracker tracker, Listener listener) {
        this(channel, loop, tracker, listener, null);
    }

    /** {@code tls}: the connection's TLS engine after the login, or null for plain TCP. */
    public BackendEndpoint(SocketChannel channel, EventLoop loop, ReplyTracker tracker, Listener listener,
            io.loomscale.tls.TlsEngine tls) {
        super(channel, loop, tls);
        this.tracker = tracker;
        this.listener = listener;
    }

    /**
     * Sequence id of the last packet read. Read it only after the connection closed (the close
     * orders it before the reader) to number an error packet that follows a cut-off reply.
     */
    public int lastSequence() {
        return lastSeq;
    }

    /**
     * Whether part of a forwarded packet reached the client and the rest did not (the connection
     * broke inside it). Read it only after the connection closed, like {@link #lastSequence()}.
     */
    public boolean isMidPacket() {
        return packetRemaining > 0 && disposition == ReplyTracker.FORWARD;
    }

    public ReplyTracker tracker() {
        return tracker;
    }

    /**
     * The checksum of the last reply that asked for one ({@link ReplyTracker#CHECKSUM}): CRC-32C
     * over the payloads of its data packets (column count, definitions, rows, ERR) and, of each
     * OK or EOF, only its first byte and, for an OK, the affected rows and insert id, so two
     * servers returning the same result to the same statement give the same value although their
     * status flags or session-state data differ. Read it once the reply has ended.
     */
    public long replyChecksum() {
        return replyChecksum;
    }

    /**
     * Hands the connection to a new owner (a pooled connection reused by another session). Only
     * while no reply is outstanding, so no event of the old owner is in flight.
     */
    public void listener(Listener l) {
        this.listener = l;
    }

    /** The server's load gauge this connection reports to (outstanding replies, response times). */
    public void gauge(LoadGauge g) {
        this.gauge = g;
    }

    /** Announces one reply to the tracker and the gauge; false if the ring is full. */
    private boolean expect(int expectation) {
        boolean wasIdle = tracker.isIdle();
        if (!tracker.expect(expectation)) {
            return false;
        }
        LoadGauge g = gauge;
        if (g != null) {
            if (wasIdle) {
                busySince = System.nanoTime();
            }
            g.add(1);
        }
        return true;
    }

    /**
     * Session thread, before sending a command whose reply is {@link ReplyTracker#COLLECT}ed: keep
     * at most this many bytes of it (whole packets); the rest is counted, not kept, and the
     * collected reply comes out shorter than its byte count.
     */
    public void collectLimit(long bytes) {
        this.collectLimit = bytes;
    }

    /** The client that forwarded replies go to. */
    public void client(ClientEndpoint c) {
        this.client = c;
    }

    /**
     * Session thread: announces the reply and writes the command. Waits (parks the virtual thread)
     * while the socket's queue is over its limit or 256 replies are outstanding.
     */
    public void send(byte[] packet, int expectation) throws IOException {
        if (expectation != 0) {
            if (isClosed()) {
                throw new IOException("backend connection closed");
            }
            while (!expect(expectation)) {
                awaitReplies(128);
            }
        }
        write(packet);
        if (pendingBytes() > WRITE_LIMIT) {
            awaitDrained();
        }
    }

    /**
     * Loop thread (the fast path): announces the reply and writes the packet, unless output is
     * already queued (then the session's parking send keeps memory bounded) or the reply ring is
     * full. Returns false, having done nothing, in those cases.
     */
    public boolean tryForward(byte[] packet, int expectation) {
        if (pendingBytes() > 0 || isClosed()) {
            return false;
        }
        if (expectation != 0 && !expect(expectation)) {
            return false;
        }
        try {
            write(packet);
        } catch (IOException e) {
            fail(e); // the session hears of it and answers the client
        }
        return true;
    }

    /** Session thread: writes bytes that belong to a command already announced (continuations, LOAD DATA). */
    public void sendContinuation(byte[] packet) throws IOException {
        write(packet);
        if (pendingBytes() > WRITE_LIMIT) {
            awaitDrained();
        }
    }

    /** Session thread: parks until at most {@code max} replies are outstanding or the connection closes. */
    public void awaitReplies(int max) throws IOException {
        waiter = Thread.currentThread();
        try {
            while (tracker.outstanding() > max && !isClosed()) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
        } finally {
            waiter = null;
        }
        if (tracker.outstanding() > max) {
            throw new IOException("backend connection closed");
        }
    }

    private void awaitDrained() throws IOException {
        waiter = Thread.currentThread();
        try {
            while (pendingBytes() > WRITE_LIMIT / 2 && !isClosed()) {
                LockSupport.parkNanos(this, 100_000_000L);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
        } finally {
            waiter = null;
        }
    }

    private void wakeWaiter() {
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    protected void onDrained() {
        wakeWaiter();
    }

    @Override
    void onReadable() {
        if (buf == null) {
            buf = loop.borrow();
        }
        int n;
        try {
            n = readIn(buf);
        } catch (IOException e) {
            fail(e);
            return;
        }
        if (n < 0) {
            fail(new IOException("server closed the connection"));
            return;
        }
        buf.flip();
        try {
            process();
        } catch (ProtocolException e) {
            fail(new IOException("protocol error from server: " + e.getMessage(), e));
            return;
        }
        if (isClosed()) {
            return;
        }
        if (buf.hasRemaining()) {
            buf.compact();
        } else {
            loop.giveBack(buf);
            buf = null;
        }
        ClientEndpoint c = client;
        if (c != null && c.pendingBytes() > 0) {
            c.pauseUntilDrained(this);
        }
    }

    private void process() {
        int fwdStart = -1;
        while (true) {
            if (packetRemaining > 0) {
                int take = Math.min(packetRemaining, buf.remaining());
                if (take == 0) {
                    break;
                }
                int pos = buf.position();
                if (crcPayload) {
                    sumChunk(pos, take);
                }
                if (disposition == ReplyTracker.FORWARD) {
                    if (fwdStart < 0) {
                        fwdStart = pos;
                    }
                } else if (disposition == ReplyTracker.CAPTURE) {
                    buf.get(pos, capture, captureFill, take);
                    captureFill += take;
                } else if (disposition == ReplyTracker.COLLECT && !collectOverflow) {
                    if (collectFill + take > collectCap) {
                        collectOverflow = true; // keep the whole packets so far; count the rest only
                        collectFill = collectWhole;
                    } else {
                        if (collectFill + take > collect.length) {
                            collect = java.util.Arrays.copyOf(collect,
                                    (int) Math.min(Math.max(collect.length * 2L, collectFill + take), Integer.MAX_VALUE - 16));
                        }
                        buf.get(pos, collect, collectFill, take);
                        collectFill += take;
                    }
                }
                buf.position(pos + take);
                packetRemaining -= take;
                if (packetRemaining > 0) {
                    break;
                }
                if (disposition == ReplyTracker.CAPTURE) {
                    byte[] p = capture;
                    capture = null;
                    listener.captured(this, p);
                } else if (disposition == ReplyTracker.COLLECT && !collectOverflow) {
                    collectWhole = collectFill;
                }
                if (endingExpectation != 0) {
                    fwdStart = flush(fwdStart);
                    int e = endingExpectation;
                    endingExpectation = 0;
                    replyEnded(e);
                }
                continue;
            }
            int pos = buf.position();
            if (buf.remaining() < Packets.HEADER) {
                break;
            }
            int len = Packets.payloadLength(buf, pos);
            if (buf.remaining() < Packets.HEADER + Math.min(len, ReplyTracker.PEEK)) {
                break;
            }
            int expectation = tracker.current();
            if (expectation == 0) {
                flush(fwdStart);
                unsolicited(pos, len);
                return;
            }
            lastSeq = buf.get(pos + 3) & 0xff;
            int disp = expectation & (ReplyTracker.FORWARD | ReplyTracker.CAPTURE | ReplyTracker.COLLECT);
            if (disp != ReplyTracker.FORWARD) {
                fwdStart = flush(fwdStart);
            }
            boolean first = !tracker.hasStarted();
            boolean ended = tracker.onPacket(buf, pos + Packets.HEADER, len);
            crcPayload = false;
            if ((expectation & ReplyTracker.CHECKSUM) != 0) {
                sumPacket(first, pos, len);
            }
            disposition = disp == ReplyTracker.CAPTURE ? ReplyTracker.CAPTURE
                    : disp == ReplyTracker.FORWARD ? ReplyTracker.FORWARD
                    : disp == ReplyTracker.COLLECT ? ReplyTracker.COLLECT : 0;
            packetRemaining = Packets.HEADER + len;
            replyBytes += packetRemaining;
            if (disposition == ReplyTracker.COLLECT && collect == null) {
                collectCap = Math.min(collectLimit, Integer.MAX_VALUE - 16);
                collect = new byte[(int) Math.max(256, Math.min(Math.min(packetRemaining, 1 << 20), collectCap))];
                collectFill = 0;
                collectWhole = 0;
                collectOverflow = false;
            }
            if (disposition == ReplyTracker.CAPTURE) {
                capture = new byte[packetRemaining];
                captureFill = 0;
            }
            if (ended) {
                endingExpectation = expectation;
                endingStatus = tracker.lastStatus();
                if (crc != null && (expectation & ReplyTracker.CHECKSUM) != 0) {
                    endingChecksum = true;
                }
            }
        }
        flush(fwdStart);
    }

    /** Writes buf[fwdStart, position) to the client; returns -1 (no open range). */
    private int flush(int fwdStart) {
        if (fwdStart < 0) {
            return -1;
        }
        int end = buf.position();
        int limit = buf.limit();
        ClientEndpoint c = client;
        if (c != null && !c.isClosed() && end > fwdStart) {
            buf.position(fwdStart).limit(end);
            try {
                c.write(buf);
            } catch (IOException e) {
                c.fail(e);
            }
            buf.limit(limit).position(end);
        }
        return -1;
    }

    /** Starts the checksum of one packet: a status packet's few stable bytes now, a data packet's payload as it passes. */
    private void sumPacket(boolean firstOfReply, int pos, int len) {
        if (crc == null) {
            crc = new java.util.zip.CRC32C();
        }
        if (firstOfReply) {
            crc.reset();
        }
        if (tracker.isStatusPacket()) {
            int p = pos + Packets.HEADER;
            int end = p + Math.min(len, ReplyTracker.PEEK);
            int header = buf.get(p) & 0xff;
            crc.update(header);
            if (header == Packets.OK) {
                int q = p + 1;
                for (int k = 0; k < 2 && q < end; k++) {
                    int next = ReplyTracker.skipLenenc(buf, q, end);
                    for (int j = q; j < (next < 0 ? end : next); j++) {
                        crc.update(buf.get(j));
                    }
                    if (next < 0) {
                        break;
                    }
                    q = next;
                }
            }
        } else {
            crcPayload = true;
            crcSkip = Packets.HEADER;
        }
    }

    /** Adds the payload bytes among buf[pos, pos+take) to the checksum (the packet header is skipped). */
    private void sumChunk(int pos, int take) {
        int skip = Math.min(crcSkip, take);
        crcSkip -= skip;
        if (take > skip) {
            int lim = buf.limit();
            int at = buf.position();
            buf.limit(pos + take).position(pos + skip);
            crc.update(buf);
            buf.limit(lim).position(at);
        }
    }

    private void replyEnded(int expectation) {
        if (endingChecksum) {
            endingChecksum = false;
            replyChecksum = crc.getValue();
        }
        LoadGauge g = gauge;
        if (g != null) {
            g.add(-1);
            if (tracker.isIdle()) {
                g.sample(System.nanoTime() - busySince);
            }
        }
        long bytes = replyBytes;
        replyBytes = 0;
        byte[] collected = null;
        if ((expectation & ReplyTracker.COLLECT) != 0) {
            collected = collect == null ? new byte[0] : java.util.Arrays.copyOf(collect, collectWhole);
            collect = null;
            collectFill = 0;
            collectWhole = 0;
            collectOverflow = false;
        }
        if ((expectation & (ReplyTracker.NOTIFY | ReplyTracker.CAPTURE | ReplyTracker.COLLECT)) != 0) {
            listener.replyEnded(this, expectation, tracker.lastHeader(), endingStatus, tracker.lastRows(), bytes,
                    collected);
        }
        wakeWaiter();
    }

    private void unsolicited(int pos, int len) {
        byte[] p = null;
        if (buf.remaining() >= Packets.HEADER + len) {
            p = new byte[Packets.HEADER + len];
            buf.get(p);
        }
        buf.position(buf.limit());
        IOException cause = new IOException("server sent a packet when no reply was expected");
        close();
        listener.backendFailed(this, cause, p);
    }

    @Override
    void fail(IOException cause) {
        if (isClosed()) {
            return;
        }
        close();
        LoadGauge g = gauge;
        if (g != null) {
            g.error();
        }
        listener.backendFailed(this, cause, null);
    }

    @Override
    protected void onClosed() {
        wakeWaiter();
        loop.execute(() -> {
            LoadGauge g = gauge;
            if (g != null) {
                g.add(-tracker.outstanding()); // replies that will never end
            }
            if (buf != null) {
                loop.giveBack(buf);
                buf = null;
            }
            capture = null;
            collect = null;
        });
    }

    @Override
    public String toString() {
        try {
            return "backend " + channel.getRemoteAddress();
        } catch (IOException e) {
            return "backend (closed)";
        }
    }
}
