package io.loomscale.it;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What was open before a test abused the proxy: the proxy's client sessions and the backend
 * connections of the app user on one server. {@link #assertRestored} checks that both came back,
 * which is how the robustness tests find leaked sessions and leaked backend connections.
 */
record Baseline(TestProxy proxy, int serverPort, String user, int sessions, int backendConnections) {

    static Baseline take(TestProxy proxy, int serverPort) {
        return new Baseline(proxy, serverPort, Db.APP, proxy.sessions(), Db.backendConnections(serverPort, Db.APP));
    }

    /** Waits up to {@code timeout} for both counts to be back at (or below) what they were. */
    void assertRestored(Duration timeout) {
        int s = proxy.awaitSessions(sessions, timeout);
        int b = TestProxy.awaitAtMost(() -> Db.backendConnections(serverPort, user), backendConnections,
                Duration.ofSeconds(3));
        assertAll(
                () -> assertEquals(sessions, s, "proxy sessions: " + sessions + " before, " + s + " after " + timeout),
                () -> assertEquals(backendConnections, b, "backend connections of '" + user + "' on port " + serverPort
                        + ": " + backendConnections + " before, " + b + " after"));
    }
}
