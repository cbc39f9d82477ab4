package io.loomscale.router;

import io.loomscale.session.Downstream;

/**
 * The routing half of one client session, at the end of its filter chain. {@link #route} sends
 * each statement to a backend, announcing the reply it expects; continuations go where their
 * command went. Runs only on the session's virtual thread, so it is plain sequential code.
 */
public interface RouterSession extends Downstream {
}
