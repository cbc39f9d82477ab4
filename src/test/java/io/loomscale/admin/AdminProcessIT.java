package io.loomscale.admin;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar as an operator runs it: {@code loomscale -c FILE} logging to
 * {@code logdir/loomscale.log}, with the admin interface; {@code loomscale ctl} as a second
 * process; the log rotated by SIGUSR1 and by {@code ctl rotate logs}, its level changed at run
 * time; a server created through ctl still there after the proxy restarts.
 */
class AdminProcessIT {
    private static final Path JAR = Path.of(System.getProperty("loomscale.jar", "target/loomscale.jar"));
    private static final Pattern ADMIN_URL = Pattern.compile("Admin interface listening on http://127\\.0\\.0\\.1:(\\d+)");

    record Result(int exit, String out, String err) {
    }

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Result run(String... args) throws Exception {
        Process p = new ProcessBuilder(java(args)).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static Result ctl(int port, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("ctl", "--host", "127.0.0.1:" + port));
        all.addAll(List.of(args));
        return run(all.toArray(new String[0]));
    }

    /** Starts the proxy; returns it once the log names the admin port (in {@code port[0]}). */
    private static Process startProxy(Path conf, Path log, int[] port) throws Exception {
        Process p = new ProcessBuilder(java("-c", conf.toString())).redirectErrorStream(true)
                .redirectOutput(conf.resolveSibling("console.txt").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.exists(log)) {
                Matcher m = ADMIN_URL.matcher(Files.readString(log));
                if (m.find() && Files.readString(log).contains("Ready.")) {
                    port[0] = Integer.parseInt(m.group(1));
                    return p;
                }
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("proxy did not start: " + Files.readString(conf.resolveSibling("console.txt"))
                + (Files.exists(log) ? Files.readString(log) : ""));
    }

    private static void stopProxy(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("proxy did not stop on SIGTERM");
        }
    }

    private static String config(Path dir) {
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
                module = "mariadbmon"
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
                """.formatted(dir, c.primaryPort(), AdminFixture.freePort());
    }

    private static void awaitFile(Path p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(p) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(p), p + " exists");
    }

    @Test
    void logFileRotatesOnSigusr1AndOnRequestLevelChangesAndChangesSurviveARestart() throws Exception {
        Path dir = AdminFixture.projectDir().resolve("target/it/admin-process");
        AdminFixture.wipe(dir);
        Files.createDirectories(dir);
        Path conf = dir.resolve("proxy.toml");
        Files.writeString(conf, config(dir));
        Path log = dir.resolve("log/loomscale.log");
        int[] port = new int[1];
        Process p = startProxy(conf, log, port);
        try {
            String first = Files.readString(log);
            assertTrue(first.contains("still has the default password"), "warning about admin/mariadb:\n" + first);
            Result list = ctl(port[0], "list", "servers", "--tsv");
            assertEquals(0, list.exit(), list.err());
            assertTrue(list.out().startsWith("server1\t127.0.0.1\t"), list.out());

            // SIGUSR1: the file moves to .1, a new one starts.
            assertEquals(0, new ProcessBuilder("kill", "-USR1", Long.toString(p.pid())).start().waitFor());
            awaitFile(dir.resolve("log/loomscale.log.1"));
            assertTrue(Files.readString(dir.resolve("log/loomscale.log.1")).contains("Ready."));
            Result rotate = ctl(port[0], "rotate", "logs");
            assertEquals(0, rotate.exit(), rotate.err());
            awaitFile(dir.resolve("log/loomscale.log.2"));
            assertTrue(Files.readString(dir.resolve("log/loomscale.log.2")).contains("Ready."), "the oldest shifts up");
            assertTrue(Files.readString(log).contains("log file rotated"), "the new file gets new lines");
            assertTrue(p.isAlive(), "SIGUSR1 does not stop the proxy");

            // Level at run time: debug lines appear only after the change.
            assertFalse(Files.readString(log).contains("[DEBUG]"));
            Result level = ctl(port[0], "alter", "logging", "log_level", "debug");
            assertEquals(0, level.exit(), level.err());
            try (var c = java.sql.DriverManager.getConnection("jdbc:mariadb://127.0.0.1:"
                    + Integer.parseInt(Files.readString(conf).replaceAll("(?s).*port = (\\d+)\\s*$", "$1"))
                    + "/test?user=app&password=app_pw")) {
                c.createStatement().execute("SELECT 1");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(log).contains("[DEBUG]") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(log).contains("[DEBUG]"), Files.readString(log));
            Result bad = ctl(port[0], "alter", "logging", "log_level", "chatty");
            assertEquals(1, bad.exit());
            assertTrue(bad.err().contains("log_level 'chatty' is not allowed; allowed: error, warn, notice, info, debug"), bad.err());

            Result create = ctl(port[0], "create", "server", "later", "127.0.0.1", "3399");
            assertEquals(0, create.exit(), create.err());
            Result pw = ctl(port[0], "alter", "user", "admin", "n3w-secret");
            assertEquals(0, pw.exit(), pw.err());
        } finally {
            stopProxy(p);
        }

        // Restart: the server created at run time and the new password are there; no default-password warning.
        Files.move(log, dir.resolve("log/before-restart.log"));
        p = startProxy(conf, log, port);
        try {
            String started = Files.readString(log);
            assertTrue(started.contains("Using the objects changed at run time from"), started);
            assertFalse(started.contains("still has the default password"), started);
            Result old = ctl(port[0], "list", "servers");
            assertEquals(1, old.exit());
            assertTrue(old.err().contains("wrong or missing credentials"), old.err());
            Result show = ctl(port[0], "-p", "n3w-secret", "show", "server", "later", "--tsv");
            assertEquals(0, show.exit(), show.err());
            assertTrue(show.out().contains("parameters.port\t3399"), show.out());
        } finally {
            stopProxy(p);
        }
    }

    @Test
    void adminPortTakenStopsTheStartWithTheKeys() throws Exception {
        Path dir = AdminFixture.projectDir().resolve("target/it/admin-port-taken");
        AdminFixture.wipe(dir);
        Files.createDirectories(dir);
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path conf = dir.resolve("proxy.toml");
            Files.writeString(conf, config(dir).replace("admin_port = 0", "admin_port = " + taken.getLocalPort()));
            Result r = run("-c", conf.toString());
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().contains("[loomscale] keys 'admin_host'/'admin_port': cannot listen on 127.0.0.1:"
                    + taken.getLocalPort()), r.err());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
