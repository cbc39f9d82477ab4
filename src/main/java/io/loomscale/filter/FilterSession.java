package io.loomscale.filter;

import io.loomscale.session.Downstream;
import io.loomscale.session.Statement;

import java.io.IOException;

/**
 * One session's view of a filter. {@link #onStatement} sees every command on its way down (not
 * continuations, which the chain passes straight through) and decides what goes on: pass it to
 * {@code next} (maybe changed), or answer the client itself and not call {@code next}. Runs on
 * the session's virtual thread only.
 *
 * <h2>Replies</h2>
 * Replies do not come back through the chain: the selector thread streams them from the backend
 * to the client, and the session is not woken per packet. A filter that needs the reply asks for
 * it on the statement, before passing it on, in one of two ways:
 * <ul>
 *   <li>{@link Statement#onReplyEnd}: tell me when the reply ended (OK/ERR, server status, rows,
 *   bytes, time from send to end). The reply still streams to the client as it comes; the
 *   tracker already counts rows and bytes on the selector thread, so the cost is one session
 *   wake-up per statement, and nothing per row. qlafilter, topfilter and ccrfilter use this.</li>
 *   <li>{@link Statement#collectReply}: give me the whole reply before the client sees it. The
 *   selector thread gathers the reply into one array (one hand-off per reply, not per packet)
 *   and the session hands it to each collecting filter, nearest the router first, which may
 *   inspect it or replace it ({@link io.loomscale.session.Reply#packets(byte[])}); then the
 *   session sends it to the client. The session takes no other client command meanwhile, so the
 *   client gets its replies in order. maxrows uses this.</li>
 * </ul>
 * How: the session marks the statement being routed; every reply for the client passes one hook
 * ({@code BackendConnection.send} with {@code ReplyTracker.FORWARD}), which, only when a filter
 * asked, adds {@code NOTIFY} and the statement's ticket (high bits of the expectation) and turns
 * {@code FORWARD} into {@code COLLECT} for a collected reply. A statement nobody asked about
 * costs one field read at send; a service without filters keeps its router's fast path
 * (no session at all per statement). A reply the router made or gathered itself (readwritesplit's
 * prepares, a write with {@code causal_reads = global}) is reported with
 * {@link io.loomscale.session.Reply#isKnown()} false and cannot be edited; a LOAD DATA LOCAL
 * statement's reply is never held back (the client must see the server's file request), only
 * reported. A collected reply is held whole in memory.
 */
public interface FilterSession {
    /**
     * Whether this filter would pass {@code packet} (a whole client command, header included)
     * on unchanged and needs to see neither it nor its reply: then, when every filter of the
     * chain says so, the router's fast path may forward it from the selector thread without
     * handing it to the session (see {@link FilterChain#fastPath()}). Called on the selector
     * thread, concurrently with the session's thread: it must look only at {@code packet} and at
     * settings that never change, never at the session's state. Default: false (the filter sees
     * everything), which a filter that collects or changes replies must keep.
     */
    default boolean passesUntouched(byte[] packet) {
        return false;
    }

    /** A filter session that does nothing (the filter does not apply to this session). */
    FilterSession PASS = new FilterSession() {
        @Override
        public void onStatement(Statement statement, Downstream next) throws IOException {
            next.route(statement);
        }

        @Override
        public boolean passesUntouched(byte[] packet) {
            return true;
        }
    };

    void onStatement(Statement statement, Downstream next) throws IOException;

    /** The session ends. */
    default void close() {
    }
}
