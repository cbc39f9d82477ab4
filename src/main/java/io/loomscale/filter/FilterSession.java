package io.loomscale.filter;

import io.loomscale.session.Downstream;
import io.loomscale.session.Statement;

import java.io.IOException;

/**
 * One session's view of a filter. {@link #onStatement} sees every command on its way down (not
 * continuations, which the chain passes straight through) and decides what goes on: pass it to
 * {@code next} (maybe changed), or answer the client itself and not call {@code next}. Runs on
 * the session's virtual thread only.
 */
public interface FilterSession {
    void onStatement(Statement statement, Downstream next) throws IOException;

    /** The session ends. */
    default void close() {
    }
}
