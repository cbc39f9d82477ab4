package io.loomscale.session;

import io.loomscale.protocol.Packets;

/**
 * How one statement's reply ended, as a filter that asked for it sees it (see
 * {@link io.loomscale.filter.FilterSession} for the design): the first byte of its last packet
 * (OK, ERR or EOF), the server status flags, the rows and bytes it had, and the time from the
 * statement's send to the reply's end. For a reply the session collected
 * ({@link Statement#collectReply}) also its packets, back to back with their headers, which the
 * filter may replace ({@link #packets(byte[])}) before the client gets them.
 *
 * <p>Made and used on the session's virtual thread only.
 */
public final class Reply {
    private final int header;
    private final int status;
    private final long rows;
    private final long bytes;
    private final long nanos;
    private final boolean known;
    private final boolean truncated;
    private byte[] packets;

    Reply(int header, int status, long rows, long bytes, long nanos, boolean known, byte[] packets) {
        this.header = header;
        this.status = status;
        this.rows = rows;
        this.bytes = bytes;
        this.nanos = nanos;
        this.known = known;
        this.packets = packets;
        this.truncated = packets != null && bytes > packets.length;
    }

    /** First payload byte of the reply's last packet: 0x00 OK, 0xff ERR, 0xfe EOF (end of rows); -1 if unknown. */
    public int header() {
        return header;
    }

    public boolean isError() {
        return header == Packets.ERR;
    }

    /** Server status flags of the reply's last OK/EOF. */
    public int status() {
        return status;
    }

    /** Row packets of the reply (all its result sets), -1 if unknown. */
    public long rows() {
        return rows;
    }

    /** Bytes of the reply, headers included, -1 if unknown. */
    public long bytes() {
        return bytes;
    }

    /** Nanoseconds from the statement's send to the reply's end. */
    public long nanos() {
        return nanos;
    }

    /**
     * False when the router answered without a backend reply the session could follow (it made
     * the answer itself or gathered it for its own reasons): header, rows and bytes are then
     * what the session could see of the answer or -1; for a collected statement
     * {@link #packets()} is then a copy of what the router sent the client (already sent: it
     * can be read, not replaced), else null.
     */
    public boolean isKnown() {
        return known;
    }

    /** The whole reply (packets with headers) when it was collected, else null. */
    public byte[] packets() {
        return packets;
    }

    /** Whether only the first part of the reply was kept (see {@link Statement#collectReply(ReplyListener, long)}). */
    public boolean isTruncated() {
        return truncated;
    }

    /** Replaces what the client gets (whole packets, sequence ids from 1). Only for a collected reply. */
    public void packets(byte[] replacement) {
        if (packets == null || !known) {
            throw new IllegalStateException(packets == null ? "the reply was not collected"
                    : "the router already sent this reply to the client");
        }
        this.packets = replacement;
    }

    @Override
    public String toString() {
        return "Reply[header=0x" + Integer.toHexString(header & 0xff) + ", rows=" + rows + ", bytes=" + bytes
                + ", ms=" + nanos / 1_000_000 + (packets != null ? ", collected" : "") + "]";
    }
}
