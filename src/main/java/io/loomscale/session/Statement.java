package io.loomscale.session;

import io.loomscale.protocol.Commands;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ReplyTracker;

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
