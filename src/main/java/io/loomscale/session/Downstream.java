package io.loomscale.session;

import java.io.IOException;

/**
 * What a session routes its statements into: the first filter session of the chain, or the router
 * session when there are no filters. All calls come from the session's virtual thread and may
 * block (park) while they wait.
 */
public interface Downstream {
    /** Routes one statement (or continuation). Throws on a failure the session cannot survive. */
    void route(Statement statement) throws IOException;

    /**
     * A backend connection failed. Returns true if the session can go on (the router replaced or
     * dropped the backend), false to end the session.
     */
    boolean handleError(BackendConnection backend, IOException cause);

    /** Every backend connection this downstream holds. */
    java.util.List<BackendConnection> backends();

    /**
     * A way for the selector thread to forward plain commands without waking the session, or
     * null (the default) when every statement must go through the session: filters present, or
     * a router that needs to look at statements.
     */
    default FastPath fastPath() {
        return null;
    }

    /**
     * The session's state was reset on every backend by the session itself (a successful
     * COM_CHANGE_USER): a router drops what it kept of the old state (session command history,
     * prepared statements, temporary tables, transaction).
     */
    default void sessionReset() {
    }

    /** Ends the downstream: closes its backends. Idempotent. */
    void close();
}
