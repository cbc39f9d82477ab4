package io.loomscale.it;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What was open before a test abused the proxy: the proxy's client sessions and the backend
 * connections of the app user on one server. {@link #assertRestored} checks that both came back,
 * which is how the robustness tests find leaked sessions and leaked backend connections. "Back"
 * means at most as many as before: a count taken while an earlier test's session was still
 * closing may drop below the baseline.
 */
record Baseline(TestProxy proxy, int serverPort, String user, int sessions, int backendConnections) {

    /**
     * Gives sessions that earlier tests closed up to 3 s to end on the proxy and on the server,
     * so that a baseline taken next counts only what the test itself holds. Call it before the
     * test opens its own connections; no session of the proxy is expected to stay open.
     */
    static void settle(TestProxy proxy, int serverPort) {
        proxy.awaitSessions(0, Duration.ofSeconds(3));
        TestProxy.awaitAtMost(() -> Db.backendConnections(serverPort, Db.APP), 0, Duration.ofSeconds(3));
    }

    static Baseline take(TestProxy proxy, int serverPort) {
        return new Baseline(proxy, serverPort, Db.APP, proxy.sessions(), Db.backendConnections(serverPort, Db.APP));
    }

    /** Waits up to {@code timeout} for both counts to be back at (or below) what they were. */
    void assertRestored(Duration timeout) {
        int s = proxy.awaitSessions(sessions, timeout);
        int b = TestProxy.awaitAtMost(() -> Db.backendConnections(serverPort, user), backendConnections,
                Duration.ofSeconds(3));
        // fewer than before is fine: the baseline may have counted a closing session of an earlier test
        assertAll(
                () -> assertTrue(s <= sessions, "proxy sessions: " + sessions + " before, " + s + " after " + timeout),
                () -> assertTrue(b <= backendConnections, "backend connections of '" + user + "' on port "
                        + serverPort + ": " + backendConnections + " before, " + b + " after"));
    }
}
