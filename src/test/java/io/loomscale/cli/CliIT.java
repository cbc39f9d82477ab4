package io.loomscale.cli;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar as a user runs it: {@code java -jar target/loomscale.jar ...}, with the JVM
 * that runs the tests (21+).
 */
class CliIT {
    private static final Path JAR = Path.of(System.getProperty("loomscale.jar", "target/loomscale.jar"));

    record Result(int exit, String out, String err) {
    }

    private static Process start(String... args) throws IOException {
        return start(null, args);
    }

    private static Process start(Path stderr, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (stderr != null) {
            pb.redirectError(stderr.toFile());
        }
        return pb.start();
    }

    private static Result run(String... args) throws Exception {
        Process p = start(args);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished");
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String config(Path dir, int port) {
        TestCluster c = TestCluster.get();
        return """
                [loomscale]
                logdir = "%1$s/log"
                datadir = "%1$s/data"
                libdir = "%1$s/lib"
                admin_port = 0
                [server.server1]
                address = "127.0.0.1"
                port = %2$d
                [monitor.mon]
                module = "mysqlmon"
                servers = ["server1"]
                user = "loomscale"
                password = "loomscale"
                monitor_interval = "500ms"
                [service.rw]
                router = "readconnroute"
                router_options = "master"
                cluster = "mon"
                user = "loomscale"
                password = "loomscale"
                [listener.rw]
                service = "rw"
                address = "127.0.0.1"
                port = %3$d
                """.formatted(dir, c.primaryPort(), port);
    }

    @Test
    void versionAndHelp() throws Exception {
        Result v = run("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("LoomScale "), v.out());
        Result h = run("--help");
        assertEquals(0, h.exit());
        assertTrue(h.out().contains("--config") && h.out().contains("check"), h.out());
    }

    @Test
    void checkAcceptsAGoodConfigAndTheShippedOnes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ok.toml");
        Files.writeString(f, config(dir, 4999));
        Result r = run("check", "-c", f.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("OK"), r.out());
        assertEquals(0, run("check", "-c", "conf/sandbox.toml").exit());
        assertEquals(0, run("check", "-c", "conf/loomscale.toml").exit());
    }

    @Test
    void checkRejectsAnUnknownKeyNamingFileLineAndKey(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.toml");
        Files.writeString(f, config(dir, 4999).replace("router_options = \"master\"", "router_option = \"master\""));
        Result r = run("check", "-c", f.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("bad.toml:17: [service.rw] key 'router_option': unknown key; allowed: cluster,"), r.err());
    }

    @Test
    void checkRejectsAnUnknownModule(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.toml");
        Files.writeString(f, config(dir, 4999).replace("readconnroute", "nosuchrouter"));
        Result r = run("check", "-c", f.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("unknown router module 'nosuchrouter'") && r.err().contains("readconnroute"), r.err());
    }

    @Test
    void runsInTheForegroundAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path f = dir.resolve("run.toml");
        Files.writeString(f, config(dir, port));
        Path log = dir.resolve("stderr.log");
        Process p = start(log, "-c", f.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean up = false;
            while (!up && System.nanoTime() < deadline) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    up = s.getInputStream().read() >= 0; // the handshake starts
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            assertTrue(up, "proxy accepted a connection");
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
            String err = Files.readString(dir.resolve("log/loomscale.log")); // --log=file is the default
            assertTrue(err.contains("Listener rw listening on 127.0.0.1:" + port), err);
            assertTrue(err.contains("LoomScale stopped"), err);
            boolean closed;
            try (Socket s = new Socket("127.0.0.1", port)) {
                closed = false;
            } catch (IOException e) {
                closed = true;
            }
            assertTrue(closed, "port closed after stop");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void portTakenIsReportedWithTheKey(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path f = dir.resolve("taken.toml");
            Files.writeString(f, config(dir, taken.getLocalPort()));
            Process p = start("-c", f.toString());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, p.exitValue(), err);
            assertTrue(err.contains("[listener.rw] key 'port': cannot listen on 127.0.0.1:" + taken.getLocalPort()), err);
            assertFalse(err.contains("Exception in thread"), err);
        }
    }

    @Test
    void keysAndPasswdMakeAPasswordTheConfigDecrypts(@TempDir Path dir) throws Exception {
        Result keys = run("keys", dir.toString());
        assertEquals(0, keys.exit(), keys.err());
        Result again = run("keys", dir.toString());
        assertEquals(1, again.exit(), "an existing key file is kept");
        Result enc = run("passwd", "-d", dir.toString(), "svc_pw");
        assertEquals(0, enc.exit(), enc.err());
        String cipher = enc.out().strip();
        assertTrue(cipher.matches("[0-9a-f]{64,}"), cipher);
        Result noKeys = run("passwd", "-d", dir.resolve("none").toString(), "x");
        assertEquals(1, noKeys.exit());
        assertTrue(noKeys.err().contains("loomscale keys"), noKeys.err());

        String toml = "[loomscale]\ndatadir = \"" + dir + "\"\n[server.a]\naddress = \"127.0.0.1\"\n"
                + "[service.s]\nrouter = \"readconnroute\"\nservers = [\"a\"]\nuser = \"u\"\npassword = \"" + cipher
                + "\"\n[service.t]\nrouter = \"readconnroute\"\nservers = [\"a\"]\nuser = \"u\"\npassword = \"plain_pw\"\n";
        io.loomscale.config.LoomScaleConfig cfg = io.loomscale.config.ConfigLoader.parse(toml, "enc.toml");
        assertEquals("svc_pw", cfg.services().get("s").password());
        assertEquals("plain_pw", cfg.services().get("t").password());
    }
}
