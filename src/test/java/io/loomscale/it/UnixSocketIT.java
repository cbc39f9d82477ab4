package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A listener on a unix socket ({@code [listener.NAME] socket = "path"}), driven by the mariadb
 * command-line client: queries through readconnroute and readwritesplit, a wrong password, and a
 * client that never answers the handshake (closed after the handshake timeout, as on TCP).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnixSocketIT {
    private static TestProxy proxy;
    private static Path split;
    private static Path write;

    @BeforeAll
    static void setUp() throws Exception {
        TestCluster cluster = TestCluster.get();
        Path dir = TestProxy.projectDir().resolve("target/it/unix");
        Files.createDirectories(dir);
        split = dir.resolve("split.sock");
        write = dir.resolve("write.sock");
        proxy = TestProxy.start("unix", RwsConfigs.servers(cluster) + RwsConfigs.monitor()
                + RwsConfigs.service("rws", "")
                + "[service.write]\nrouter = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"rwsmon\"\n"
                + "user = \"" + TestCluster.SERVICE_USER + "\"\npassword = \"" + TestCluster.SERVICE_PASSWORD + "\"\n\n"
                + "[listener.split]\nservice = \"rws\"\nsocket = \"" + split + "\"\n\n"
                + "[listener.write]\nservice = \"write\"\nsocket = \"" + write + "\"\n\n");
        RwsConfigs.awaitRoles(proxy);
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static MariadbCliIT.Run mariadb(Path socket, String password, String sql) throws Exception {
        Process p = new ProcessBuilder("mariadb", "--no-defaults", "-S", socket.toString(), "-u" + Db.APP,
                "-p" + password, "--connect-timeout=10", "-N", "test", "-e", sql)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "mariadb finished");
        return new MariadbCliIT.Run(p.exitValue(), out, err.join());
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void queriesThroughBothRouters() throws Exception {
        TestCluster cluster = TestCluster.get();
        String primary = cluster.rootScalar(cluster.primaryPort(), "SELECT @@server_id");
        assertEquals(new MariadbCliIT.Run(0, primary + "\n", ""), mariadb(write, Db.APP_PW, "SELECT @@server_id"));
        MariadbCliIT.Run r = mariadb(split, Db.APP_PW, "SELECT @@server_id; BEGIN; SELECT @@server_id; COMMIT");
        assertEquals(0, r.exit(), r.err());
        String[] ids = r.out().split("\n");
        assertTrue(!ids[0].equals(primary) && ids[1].equals(primary), "a replica, then the primary in the transaction: " + r.out());
    }

    @Test
    void wrongPasswordIsRefusedLikeTheServerDoes() throws Exception {
        MariadbCliIT.Run r = mariadb(split, "wrong", "SELECT 1");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("ERROR 1045"), r.err());
        assertTrue(r.err().contains("'app'@'localhost'"), "a unix-socket client is localhost, as MariaDB names it: " + r.err());
    }

    @Test
    void silentClientIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (SocketChannel ch = SocketChannel.open(java.net.UnixDomainSocketAddress.of(write))) {
            ByteBuffer b = ByteBuffer.allocate(1024);
            assertTrue(ch.read(b) > 0, "the server greeting");
            long t0 = System.nanoTime();
            b.clear();
            int n;
            do {
                n = ch.read(b);
                b.clear();
            } while (n >= 0);
            long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertTrue(s >= 8 && s <= 20, "closed after " + s + " s");
        }
        assertEquals(0, proxy.awaitSessions(0, java.time.Duration.ofSeconds(5)), "no session left");
    }
}
