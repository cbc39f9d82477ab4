package io.loomscale.filter;

import io.loomscale.session.SessionContext;

import java.util.Map;

/**
 * A filter instance: one per {@code [filter.NAME]}, shared by every session of the services that
 * list it. Thread-safe.
 */
public interface Filter {
    /** The per-session half, created on the session's virtual thread. */
    FilterSession newSession(SessionContext ctx);

    /**
     * True for a filter that does nothing to statements or replies (MaxScale's hintfilter, whose
     * work readwritesplit does itself): the service leaves it out of each session's chain, so it
     * costs nothing and keeps the router's fast path.
     */
    default boolean isPassThrough() {
        return false;
    }

    /** The proxy stops: flush and close files, stop threads. Called once, after the sessions ended. */
    default void close() {
    }

    /** Counters and settings for the admin interface. */
    default Map<String, Object> diagnostics() {
        return Map.of();
    }
}
