package io.loomscale.router;

import io.loomscale.session.SessionContext;

import java.io.IOException;
import java.util.Map;

/**
 * A router instance: one per service, created by its {@link RouterModule} from the service's
 * config. Thread-safe: {@link #newSession} is called concurrently by new client sessions.
 */
public interface Router {
    /**
     * Creates the routing half of one client session and opens the backend connections it needs
     * at once (more may be opened later). Runs on the new session's virtual thread.
     *
     * @throws io.loomscale.session.BackendException when no suitable server can be used
     */
    RouterSession newSession(SessionContext ctx) throws IOException;

    /** Counters and settings for the admin interface. */
    Map<String, Object> diagnostics();
}
