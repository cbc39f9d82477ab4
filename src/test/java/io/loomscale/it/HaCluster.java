package io.loomscale.it;

import io.loomscale.testing.TestCluster;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A throw-away cluster for the high-availability tests, which kill, stop and re-point its
 * servers: {@code tests-integration/cluster.sh --semi-sync} on {@link TestCluster#BASE_PORT} + 3000
 * with its files in {@code target/it-ha}, so the shared cluster is never harmed. Semi-synchronous
 * replication makes "a commit the client saw is on a replica" true, which is what lets a failover
 * lose nothing. {@link #fresh()} wipes and recreates it (a few seconds), so each test starts from
 * server1 as primary and server2, server3 as its replicas.
 */
final class HaCluster {
    static final int BASE_PORT = TestCluster.BASE_PORT + 3000;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(2);
    private static final Path DIR = TestProxy.projectDir().resolve("target/it-ha");

    private HaCluster() {
    }

    /** Stops any earlier cluster of these tests and starts a new one. */
    static void fresh() throws IOException, InterruptedException {
        script("stop", "--base-port", String.valueOf(BASE_PORT), "--dir", DIR.toString());
        script("start", "--base-port", String.valueOf(BASE_PORT), "--dir", DIR.toString(), "--semi-sync");
    }

    static void stop() throws IOException, InterruptedException {
        script("stop", "--base-port", String.valueOf(BASE_PORT), "--dir", DIR.toString());
    }

    /** kill -9 of node {@code n} (1..3). */
    static void kill(int n) throws IOException, InterruptedException {
        script("kill-node", String.valueOf(n), "--dir", DIR.toString());
    }

    static void startNode(int n) throws IOException, InterruptedException {
        script("start-node", String.valueOf(n), "--dir", DIR.toString());
    }

    static int port(int n) {
        return BASE_PORT + n - 1;
    }

    /** {@code [server.serverN]} tables for the three nodes. */
    static String servers() {
        StringBuilder sb = new StringBuilder();
        for (int n = 1; n <= 3; n++) {
            sb.append("[server.server").append(n).append("]\naddress = \"127.0.0.1\"\nport = ").append(port(n)).append("\n\n");
        }
        return sb.toString();
    }

    static Connection root(int n) throws SQLException {
        return Db.connect(port(n), "test", TestCluster.ROOT_USER, TestCluster.ROOT_PASSWORD, "connectTimeout=3000");
    }

    private static void script(String... args) {
        TestCluster.script(TestProxy.projectDir(), SCRIPT_TIMEOUT, args);
    }

}
