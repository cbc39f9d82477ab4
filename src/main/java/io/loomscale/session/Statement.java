package io.loomscale.session;

import io.loomscale.protocol.Commands;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ReplyTracker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One client packet on its way down the filter chain to the router: a command (sequence id 0) or
 * a continuation of one (the rest of a split 16 MiB packet, LOAD DATA LOCAL file contents). Holds
 * the packet as read, header included; the SQL text of a COM_QUERY is decoded only when asked.
 */
public final class Statement {
    private byte[] packet;
    private final boolean fileData;
    private String sql;
    private java.util.List<io.loomscale.hint.Hint> hints = java.util.List.of();
    // Reply requests of filters (null until one asks; see io.loomscale.filter.FilterSession).
    private ReplyListener[] listeners;
    private int listenerCount;
    private boolean collect;
    private long collectLimit = Long.MAX_VALUE;
    int ticket;
    long sentAt;

    public Statement(byte[] packet) {
        this(packet, false);
    }

    /**
     * @param fileData the packet is part of a LOAD DATA LOCAL upload (a continuation whatever its
     *                 sequence id, which wraps to 0 in a long upload)
     */
    public Statement(byte[] packet, boolean fileData) {
        this.packet = packet;
        this.fileData = fileData;
    }

    /** The whole packet, header included. Forward it as is. */
    public byte[] packet() {
        return packet;
    }

    /** Replaces the packet (a rewriting filter). */
    public void packet(byte[] newPacket) {
        this.packet = newPacket;
        this.sql = null;
    }

    /** Routing hints a filter attached (namedserverfilter); the router also reads hint comments itself. */
    public java.util.List<io.loomscale.hint.Hint> hints() {
        return hints;
    }

    /** Attaches a routing hint for the router. */
    public void addHint(io.loomscale.hint.Hint h) {
        if (hints.isEmpty()) {
            hints = new java.util.ArrayList<>(2);
        }
        hints.add(h);
    }

    /**
     * Asks to be told when this command's reply has ended (OK/ERR, rows, bytes, time). The reply
     * still streams to the client as it comes; the session is woken once, at its end.
     */
    public void onReplyEnd(ReplyListener l) {
        addListener(l);
    }

    /**
     * Asks for this command's whole reply before the client sees it: the session gathers it,
     * hands it to each collecting filter (the one nearest the router first), then sends what is
     * left to the client. The session handles nothing else of the client's until then.
     */
    public void collectReply(ReplyListener l) {
        collectReply(l, Long.MAX_VALUE);
    }

    /**
     * Like {@link #collectReply(ReplyListener)}, keeping at most {@code maxBytes} of the reply
     * (whole packets): a larger reply arrives cut ({@link Reply#isTruncated()}), with its full
     * size in {@link Reply#bytes()} and {@link Reply#rows()}, and the filter must replace it
     * (maxrows sends an empty result); one left cut reaches the client as an error. Bounds the
     * memory a collected reply takes.
     */
    public void collectReply(ReplyListener l, long maxBytes) {
        collect = true;
        collectLimit = Math.min(collectLimit, maxBytes);
        addListener(l);
    }

    long collectLimit() {
        return collectLimit;
    }

    private void addListener(ReplyListener l) {
        if (listeners == null) {
            listeners = new ReplyListener[2];
        } else if (listenerCount == listeners.length) {
            listeners = java.util.Arrays.copyOf(listeners, listenerCount * 2);
        }
        listeners[listenerCount++] = l;
    }

    /**
     * Whether this is a COM_QUERY whose first word (after spaces and comments) is LOAD: its reply
     * may ask the client for a file, so it cannot be held back from the client.
     */
    boolean isLoadData() {
        if (command() != Commands.COM_QUERY) {
            return false;
        }
        int i = Packets.HEADER + 1;
        int n = packet.length;
        while (i < n) {
            byte c = packet[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
            } else if (c == '/' && i + 1 < n && packet[i + 1] == '*') {
                int end = i + 2;
                while (end + 1 < n && !(packet[end] == '*' && packet[end + 1] == '/')) {
                    end++;
                }
                i = end + 2;
            } else if (c == '#' || (c == '-' && i + 2 < n && packet[i + 1] == '-' && packet[i + 2] <= ' ')) {
                while (i < n && packet[i] != '\n') {
                    i++;
                }
            } else {
                break;
            }
        }
        return i + 4 <= n && (packet[i] | 0x20) == 'l' && (packet[i + 1] | 0x20) == 'o' && (packet[i + 2] | 0x20) == 'a'
                && (packet[i + 3] | 0x20) == 'd' && (i + 4 == n || !Character.isLetterOrDigit(packet[i + 4]));
    }

    /** Whether a filter asked for the reply. */
    public boolean wantsReply() {
        return listenerCount > 0;
    }

    /** Whether a filter asked for the whole reply. */
    public boolean collectsReply() {
        return collect;
    }

    /** Tells the filters that asked, the one nearest the router first. */
    void replyEnded(Reply r) throws IOException {
        for (int i = listenerCount - 1; i >= 0; i--) {
            listeners[i].replyEnded(r);
        }
    }

    public int sequence() {
        return packet[3] & 0xff;
    }

    /** Not a new command but more bytes of the previous one. */
    public boolean isContinuation() {
        return fileData || sequence() != 0;
    }

    /** The command byte, or -1 for a continuation or an empty packet. */
    public int command() {
        return isContinuation() || packet.length <= Packets.HEADER ? -1 : packet[Packets.HEADER] & 0xff;
    }

    public boolean isQuery() {
        return command() == Commands.COM_QUERY;
    }

    /** The SQL of a COM_QUERY or COM_STMT_PREPARE (first part only if split), else null. */
    public String sql() {
        if (sql == null) {
            int c = command();
            if (c == Commands.COM_QUERY || c == Commands.COM_STMT_PREPARE) {
                sql = new String(packet, Packets.HEADER + 1, packet.length - Packets.HEADER - 1, StandardCharsets.UTF_8);
            }
        }
        return sql;
    }

    /**
     * The SQL of a COM_QUERY or COM_STMT_PREPARE as a view of the packet's bytes (one char per
     * byte, nothing decoded or copied), for classifiers; null for other commands.
     */
    public CharSequence sqlView() {
        int c = command();
        if (c == Commands.COM_QUERY || c == Commands.COM_STMT_PREPARE) {
            return new io.loomscale.protocol.ByteChars(packet, Packets.HEADER + 1, packet.length - Packets.HEADER - 1);
        }
        return null;
    }

    /** The reply this command expects ({@link ReplyTracker} kind bits), 0 for none. */
    public int replyKind() {
        return isContinuation() ? 0 : ReplyTracker.kindOf(packet);
    }

    @Override
    public String toString() {
        String s = sql();
        return isContinuation() ? "continuation(" + packet.length + " bytes)"
                : s != null ? Commands.name(command()) + " " + (s.length() > 200 ? s.substring(0, 200) + "..." : s)
                : Commands.name(command());
    }
}
