package io.loomscale.session;

/**
 * Forwarding of a client packet by the selector thread itself, for a session whose route is a
 * pure pass-through (readconnroute without filters). Measured reason: each hand-off to the
 * session's virtual thread cost a futex wake and a context switch per statement, which put
 * readconnroute at 1.56x HAProxy's CPU per query on oltp_point_select; forwarding on the loop
 * thread removes it. The session still handles everything that is not plain forwarding (login,
 * COM_CHANGE_USER, KILL, COM_QUIT, errors, a server that is no longer eligible, backpressure):
 * {@link #tryRoute} returns false and the packet goes to the session as usual.
 *
 * <p>Runs on the selector thread: must not block, allocate per row, or throw.
 */
@FunctionalInterface
public interface FastPath {
    /** Forwards {@code packet} (header included) now, or returns false to leave it to the session. */
    boolean tryRoute(byte[] packet);
}
