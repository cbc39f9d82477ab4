package io.loomscale.it;

import io.loomscale.testing.TestCluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Connector/J connections and one-line queries for the integration tests. URLs are built the way
 * an application writes them: {@code jdbc:mariadb://127.0.0.1:PORT/DB?user=..&password=..&OPTIONS}.
 */
final class Db {
    static final String APP = TestCluster.APP_USER;
    static final String APP_PW = TestCluster.APP_PASSWORD;

    private Db() {
    }

    /** Read timeout of every connection, so that a proxy that never answers fails a test instead of hanging it. */
    static final String SOCKET_TIMEOUT = "socketTimeout=60000";

    /**
     * Options added to every connection to a port (e.g. TLS settings for a listener that takes TLS
     * clients only, so that tests written for plain listeners run over TLS unchanged).
     */
    static final java.util.Map<Integer, String> PORT_OPTIONS = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code options} are {@code key=value} pairs joined with '&'; a read timeout of 60 s is added. */
    static String url(int port, String db, String user, String password, String... options) {
        StringBuilder sb = new StringBuilder("jdbc:mariadb://").append(TestProxy.HOST).append(':').append(port)
                .append('/').append(db == null ? "" : db).append("?user=").append(user).append("&password=")
                .append(password).append('&').append(SOCKET_TIMEOUT);
        String forPort = PORT_OPTIONS.get(port);
        if (forPort != null) {
            sb.append('&').append(forPort);
        }
        for (String o : options) {
            if (!o.isEmpty()) {
                sb.append('&').append(o);
            }
        }
        return sb.toString();
    }

    /** app/app_pw on database {@code test}. */
    static Connection app(int port, String... options) throws SQLException {
        return DriverManager.getConnection(url(port, "test", APP, APP_PW, options));
    }

    static Connection connect(int port, String db, String user, String password, String... options)
            throws SQLException {
        return DriverManager.getConnection(url(port, db, user, password, options));
    }

    /** The first column of the first row, as a string (null for SQL NULL or no row). */
    static String scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** {@link #scalar} on a given statement (so that it can be cancelled or given a timeout). */
    static String scalarOf(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static long scalarLong(Connection c, String sql) throws SQLException {
        String s = scalar(c, sql);
        if (s == null) {
            throw new AssertionError("no value from: " + sql);
        }
        return Long.parseLong(s);
    }

    static void exec(Connection c, String... sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /**
     * Logs in, retrying once a second while the login is refused with 1045 until {@code window}
     * passes: an account made a moment ago is known to the proxy only after its account cache
     * reloads, and reloads after failed logins are rate-limited.
     */
    static Connection awaitLogin(int port, String user, String password, java.time.Duration window)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + window.toNanos();
        while (true) {
            try {
                return connect(port, "test", user, password);
            } catch (SQLException e) {
                if (e.getErrorCode() != 1045 || System.nanoTime() > deadline) {
                    throw new AssertionError(user + " could not log in on port " + port + " within " + window + ": "
                            + e.getErrorCode() + " " + e.getMessage(), e);
                }
                Thread.sleep(1000);
            }
        }
    }

    /** Runs statements as root directly on the primary (setup that must not depend on the proxy). */
    static void rootOnPrimary(String... sql) throws SQLException {
        TestCluster cluster = TestCluster.get();
        try (Connection c = connect(cluster.primaryPort(), "", TestCluster.ROOT_USER, TestCluster.ROOT_PASSWORD)) {
            exec(c, sql);
        }
    }

    /** Connections of {@code user} on the server at {@code serverPort}, from its processlist. */
    static int backendConnections(int serverPort, String user) {
        String n = TestCluster.get().rootScalar(serverPort,
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '" + user + "'");
        return Integer.parseInt(n);
    }
}
