package io.loomscale.service;

import io.loomscale.testing.InProcessProxy;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replication client (mariadb-binlog reading from a "remote server", which is what a CDC tool
 * or a replica does: COM_REGISTER_SLAVE is not needed by it, COM_BINLOG_DUMP is) through a
 * readconnroute {@code master} listener: the binlog events stream from the primary.
 */
class ReplicationClientIT {
    private static LoomScale proxy;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        TestCluster c = TestCluster.get();
        port = InProcessProxy.freePort();
        String toml = """
                [loomscale]
                libdir = "target/no-lib"
                [server.server1]
                address = "127.0.0.1"
                port = %d
                [monitor.mon]
                module = "mariadbmon"
                servers = ["server1"]
                user = "loomscale"
                password = "loomscale"
                monitor_interval = "500ms"
                [service.master]
                router = "readconnroute"
                router_options = "master"
                cluster = "mon"
                user = "loomscale"
                password = "loomscale"
                [listener.master]
                service = "master"
                address = "127.0.0.1"
                port = %d
                """.formatted(c.primaryPort(), port);
        proxy = InProcessProxy.start(toml, "replication-it.toml");
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void binlogDumpStreamsThroughTheMasterListener() throws Exception {
        TestCluster c = TestCluster.get();
        String marker = "replication_it_" + System.nanoTime();
        c.rootSql(c.primaryPort(), "CREATE TABLE IF NOT EXISTS test.repl_it (v VARCHAR(64))");
        c.rootSql(c.primaryPort(), "INSERT INTO test.repl_it VALUES ('" + marker + "')");
        c.rootSql(c.primaryPort(), "FLUSH BINARY LOGS");
        List<String[]> logs = c.sql(c.primaryPort(), "root", "root_pw", "SHOW BINARY LOGS").rows();
        String lastWithMarker = logs.get(logs.size() - 2)[0];
        Process p = new ProcessBuilder("mariadb-binlog", "--read-from-remote-server", "-h127.0.0.1", "-P" + port,
                "-urepl", "-prepl", "--base64-output=DECODE-ROWS", "--verbose", lastWithMarker)
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text.length() > 2000 ? text.substring(text.length() - 2000) : text);
        assertTrue(text.contains(marker), "the row event with the marker came through");
        assertTrue(text.contains("End of log file"), "the dump ended cleanly");
    }
}
