package io.loomscale.admin;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /metrics} parses as Prometheus text ({@link PromText}) and its counters move while
 * sysbench runs through the proxy's readwritesplit service.
 */
class MetricsIT {
    private static AdminFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = AdminFixture.start("admin-metrics");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private static PromText scrape() {
        AdminFixture.Reply r = fx.call("GET", "/metrics", null, null, null);
        assertEquals(200, r.status());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return PromText.parse(r.body());
    }

    private static int sysbench(String command, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sysbench", "oltp_read_write", "--mysql-host=127.0.0.1",
                "--mysql-port=" + fx.port("rws"), "--mysql-user=" + TestCluster.APP_USER,
                "--mysql-password=" + TestCluster.APP_PASSWORD, "--mysql-db=sbtest", "--tables=1", "--table-size=200",
                "--db-ps-mode=disable"));
        cmd.addAll(List.of(extra));
        cmd.add(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "sysbench " + command + ": " + out);
        return p.exitValue();
    }

    @Test
    void everyNameIsLoomscaleWithAUnitAndHistogramsAreConsistent() {
        PromText p = scrape();
        assertTrue(p.types.size() >= 20, p.types.toString());
        for (String name : p.types.keySet()) {
            assertTrue(name.startsWith("loomscale_"), name);
        }
        for (String server : List.of("server1", "server2", "server3")) {
            double prev = 0;
            for (PromText.Sample s : p.samples) {
                if (s.name().equals("loomscale_server_response_time_seconds_bucket") && server.equals(s.labels().get("server"))) {
                    assertTrue(s.value() >= prev, "buckets are cumulative");
                    prev = s.value();
                }
            }
            assertEquals(prev, p.value("loomscale_server_response_time_seconds_count", "server", server));
            assertEquals(1, p.value("loomscale_server_state", "server", server, "state", "running"));
        }
        assertEquals(1, p.value("loomscale_server_state", "server", "server1", "state", "master"));
        assertEquals(0, p.value("loomscale_server_state", "server", "server1", "state", "slave"));
        assertTrue(p.value("loomscale_jvm_heap_used_bytes") > 0);
    }

    @Test
    void refusedLoginsAreCountedPerService() {
        double before = scrape().value("loomscale_service_auth_failures_total", "service", "reads");
        java.sql.SQLException e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                () -> java.sql.DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + fx.port("reads")
                        + "/?user=app&password=wrong").close());
        assertTrue(e.getMessage().contains("Access denied"), e.getMessage());
        assertEquals(before + 1, scrape().value("loomscale_service_auth_failures_total", "service", "reads"));
    }

    @Test
    void countersMoveWhileSysbenchRuns() throws Exception {
        sysbench("cleanup");
        sysbench("prepare");
        try {
            PromText before = scrape();
            sysbench("run", "--threads=1", "--time=3", "--skip-trx=on"); // autocommit reads go to replicas
            PromText after = scrape();
            for (String counter : List.of("loomscale_service_statements_total", "loomscale_service_sessions_total")) {
                assertTrue(after.value(counter, "service", "rws") > before.value(counter, "service", "rws"), counter);
            }
            for (String target : List.of("master", "slave")) {
                assertTrue(after.value("loomscale_service_routed_statements_total", "service", "rws", "target", target)
                        > before.value("loomscale_service_routed_statements_total", "service", "rws", "target", target), target);
            }
            assertTrue(after.value("loomscale_server_statements_total", "server", "server1")
                    > before.value("loomscale_server_statements_total", "server", "server1"));
            assertTrue(after.value("loomscale_server_response_time_seconds_count", "server", "server1")
                    > before.value("loomscale_server_response_time_seconds_count", "server", "server1"));
            assertTrue(after.value("loomscale_listener_accepted_connections_total", "listener", "rws")
                    >= before.value("loomscale_listener_accepted_connections_total", "listener", "rws") + 1);
            double replicaStatements = after.value("loomscale_server_statements_total", "server", "server2")
                    + after.value("loomscale_server_statements_total", "server", "server3")
                    - before.value("loomscale_server_statements_total", "server", "server2")
                    - before.value("loomscale_server_statements_total", "server", "server3");
            assertTrue(replicaStatements > 0, "reads reached the replicas: " + after.samples.stream()
                    .filter(x -> x.name().startsWith("loomscale_server_statements") || x.name().startsWith("loomscale_service_routed"))
                    .toList() + " before " + before.samples.stream()
                    .filter(x -> x.name().startsWith("loomscale_server_statements") || x.name().startsWith("loomscale_service_routed"))
                    .toList());
        } finally {
            sysbench("cleanup");
        }
    }
}
