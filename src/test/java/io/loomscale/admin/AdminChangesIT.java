package io.loomscale.admin;

import io.loomscale.config.Json;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import static io.loomscale.admin.AdminFixture.app;
import static io.loomscale.admin.AdminFixture.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runtime changes through the admin interface against a proxy over the real cluster: servers
 * created, altered, linked and destroyed; service and monitor parameters; each change checked as
 * the config file is, in effect at once, and back after a restart from what it wrote under
 * {@code datadir}. Each test gets its own proxy, since they change it.
 */
class AdminChangesIT {
    private AdminFixture fx;

    @BeforeEach
    void start(org.junit.jupiter.api.TestInfo info) throws Exception {
        fx = AdminFixture.start("admin-changes-" + info.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private Object data(String path) {
        return Json.at(fx.get(path), "data");
    }

    private static List<Object> ids(Object resource, String rel) {
        List<?> l = (List<?>) Json.at(resource, "relationships", rel, "data");
        return l.stream().map(o -> Json.at(o, "id")).toList();
    }

    private static String detail(AdminFixture.Reply r) {
        return Json.at(((List<?>) Json.at(r.json(), "errors")).get(0), "detail").toString();
    }

    @Test
    void createdServerIsLinkedUsedUnlinkedDestroyedAndSurvivesARestart() throws Exception {
        TestCluster c = TestCluster.get();
        int replica1 = c.replicaPorts().get(0);
        String body = "{\"data\":{\"id\":\"extra\",\"type\":\"servers\",\"attributes\":{\"parameters\":"
                + "{\"address\":\"127.0.0.1\",\"port\":" + replica1 + "}},"
                + "\"relationships\":{\"services\":{\"data\":[{\"id\":\"reads\",\"type\":\"services\"}]}}}}";
        AdminFixture.Reply r = fx.call("POST", "/v1/servers", body);
        assertEquals(204, r.status(), r.body());
        Object extra = data("/v1/servers/extra");
        assertEquals((long) replica1, Json.at(extra, "attributes", "parameters", "port"));
        assertEquals(List.of("reads"), ids(extra, "services"));
        assertEquals(List.of("server2", "server3", "extra"), ids(data("/v1/services/reads"), "servers"));
        assertEquals(403, fx.call("POST", "/v1/servers", body).status(), "a second server of that name");

        // Unmonitored, it is Running without a role: readconnroute's 'slave' does not take it;
        // relinking reads to it alone makes the service refuse new sessions, which proves the list is live.
        r = fx.call("PATCH", "/v1/services/reads/relationships/servers",
                "{\"data\":[{\"id\":\"extra\",\"type\":\"servers\"}]}");
        assertEquals(204, r.status(), r.body());
        SQLException refused = assertThrows(SQLException.class, () -> app(fx.port("reads")).close());
        assertTrue(refused.getMessage().contains("no slave server is available"), refused.getMessage());
        r = fx.call("PATCH", "/v1/services/reads/relationships/servers",
                "{\"data\":[{\"id\":\"server2\",\"type\":\"servers\"},{\"id\":\"extra\",\"type\":\"servers\"}]}");
        assertEquals(204, r.status(), r.body());
        try (Connection conn = app(fx.port("reads"))) {
            assertEquals(c.rootScalar(replica1, "SELECT @@server_id"), scalar(conn, "SELECT @@server_id"));
        }

        // In use: cannot be destroyed.
        AdminFixture.Reply inUse = fx.call("DELETE", "/v1/servers/extra", null);
        assertEquals(403, inUse.status());
        assertTrue(detail(inUse).contains("still used by reads"), detail(inUse));

        // Persisted: a new proxy from the same file plus datadir has the server and the links.
        Path runtimeFile = fx.dir.resolve("data/" + RuntimeConfig.FILE);
        assertTrue(Files.readString(runtimeFile).contains("[server.extra]"));
        fx.close();
        fx = AdminFixture.start(fx.dir, fx.toml, true);
        assertEquals(List.of("server2", "extra"), ids(data("/v1/services/reads"), "servers"));
        assertEquals((long) replica1, Json.at(data("/v1/servers/extra"), "attributes", "parameters", "port"));

        r = fx.call("PATCH", "/v1/servers/extra/relationships/services", "{\"data\":[]}");
        assertEquals(204, r.status(), r.body());
        assertEquals(List.of("server2"), ids(data("/v1/services/reads"), "servers"));
        assertEquals(204, fx.call("DELETE", "/v1/servers/extra", null).status());
        assertEquals(404, fx.call("GET", "/v1/servers/extra", null).status());
        assertFalse(Files.readString(runtimeFile).contains("[server.extra]"));
    }

    @Test
    void drainAndMaintenanceSurviveARestart() throws Exception {
        assertEquals(204, fx.call("PUT", "/v1/servers/server3/set?state=drain", null).status());
        // Maintenance of a monitored server is kept by mariadbmon's journal in datadir.
        assertEquals(204, fx.call("PUT", "/v1/servers/server2/set?state=maintenance", null).status());
        assertTrue(fx.proxy.monitors().get("cluster1").awaitTick(5000)); // the journal is written at the end of a tick
        assertTrue(Files.readString(fx.dir.resolve("data/" + ServerFlags.FILE)).contains("server3"));
        fx.close();
        fx = AdminFixture.start(fx.dir, fx.toml, true);
        assertTrue(fx.proxy.servers().get("server3").state().isDraining());
        assertTrue(Json.at(data("/v1/servers/server3"), "attributes", "state").toString().startsWith("Draining"));
        assertTrue(fx.proxy.servers().get("server2").state().inMaintenance());
        assertEquals(204, fx.call("PUT", "/v1/servers/server3/clear?state=drain", null).status());
        assertEquals(204, fx.call("PUT", "/v1/servers/server2/clear?state=maintenance", null).status());
        assertTrue(fx.proxy.monitors().get("cluster1").awaitTick(5000));
        fx.close();
        fx = AdminFixture.start(fx.dir, fx.toml, true);
        assertFalse(fx.proxy.servers().get("server3").state().isDraining());
        assertFalse(fx.proxy.servers().get("server2").state().inMaintenance());
    }

    @Test
    void invalidChangesAreRefusedWithTheConfigLoadersMessageAndChangeNothing() {
        AdminFixture.Reply badPort = fx.call("PATCH", "/v1/servers/server2",
                "{\"data\":{\"attributes\":{\"parameters\":{\"port\":\"abc\"}}}}");
        assertEquals(400, badPort.status());
        assertTrue(detail(badPort).contains("[server.server2] key 'port'"), detail(badPort));
        AdminFixture.Reply unknownKey = fx.call("PATCH", "/v1/servers/server2",
                "{\"data\":{\"attributes\":{\"parameters\":{\"colour\":\"red\"}}}}");
        assertEquals(403, unknownKey.status());
        assertTrue(detail(unknownKey).contains("allowed: address, persistmaxtime, persistpoolmax, port, weight"),
                detail(unknownKey));
        AdminFixture.Reply routerKey = fx.call("PATCH", "/v1/services/rws",
                "{\"data\":{\"attributes\":{\"parameters\":{\"router\":\"readconnroute\"}}}}");
        assertEquals(403, routerKey.status());
        assertTrue(detail(routerKey).contains("cannot be changed at run time"), detail(routerKey));
        AdminFixture.Reply noSuchServer = fx.call("PATCH", "/v1/services/reads/relationships/servers",
                "{\"data\":[{\"id\":\"ghost\",\"type\":\"servers\"}]}");
        assertEquals(400, noSuchServer.status());
        assertTrue(detail(noSuchServer).contains("server 'ghost' is not defined"), detail(noSuchServer));
        AdminFixture.Reply cluster = fx.call("PATCH", "/v1/services/rws/relationships/servers",
                "{\"data\":[{\"id\":\"server1\",\"type\":\"servers\"}]}");
        assertEquals(403, cluster.status());
        assertTrue(detail(cluster).contains("link the servers to that monitor instead"), detail(cluster));
        AdminFixture.Reply noAddress = fx.call("POST", "/v1/servers",
                "{\"data\":{\"id\":\"x\",\"attributes\":{\"parameters\":{\"port\":3306}}}}");
        assertEquals(400, noAddress.status());
        assertTrue(detail(noAddress).contains("[server.x] key 'address'"), detail(noAddress));
        assertEquals(404, fx.call("DELETE", "/v1/servers/nosuch", null).status());
        assertEquals(404, fx.call("PATCH", "/v1/monitors/nosuch", "{\"data\":{}}").status());
        assertEquals((long) TestCluster.get().replicaPorts().get(0),
                Json.at(data("/v1/servers/server2"), "attributes", "parameters", "port"));
        assertFalse(Files.exists(fx.dir.resolve("data/" + RuntimeConfig.FILE)), "nothing was written");
    }

    @Test
    void serviceMaxConnectionsChangesAtRunTime() throws Exception {
        AdminFixture.Reply r = fx.call("PATCH", "/v1/services/reads",
                "{\"data\":{\"attributes\":{\"parameters\":{\"max_connections\":1}}}}");
        assertEquals(204, r.status(), r.body());
        assertEquals(1L, Json.at(data("/v1/services/reads"), "attributes", "parameters", "max_connections"));
        try (Connection first = app(fx.port("reads"))) {
            scalar(first, "SELECT 1");
            SQLException e = assertThrows(SQLException.class, () -> app(fx.port("reads")).close());
            assertTrue(e.getMessage().contains("Too many connections"), e.getMessage());
        }
        assertEquals(1L, Json.at(data("/v1/listeners/reads"), "attributes", "statistics", "refused"));
    }

    @Test
    void serverWeightAndMonitorParametersChangeAndMonitorServersRelink() throws Exception {
        assertEquals(204, fx.call("PATCH", "/v1/servers/server3",
                "{\"data\":{\"attributes\":{\"parameters\":{\"weight\":5}}}}").status());
        assertEquals(5, fx.proxy.servers().get("server3").weight());
        AdminFixture.Reply r = fx.call("PATCH", "/v1/monitors/cluster1",
                "{\"data\":{\"attributes\":{\"parameters\":{\"monitor_interval\":\"700ms\",\"backend_read_timeout\":\"2s\"}}}}");
        assertEquals(204, r.status(), r.body());
        Object m = data("/v1/monitors/cluster1");
        assertEquals(700L, Json.at(m, "attributes", "parameters", "monitor_interval"));
        // The rebuilt monitor keeps its journal in datadir: maintenance set now is remembered there.
        assertEquals(204, fx.call("PUT", "/v1/servers/server2/set?state=maintenance", null).status());
        assertTrue(fx.proxy.monitors().get("cluster1").awaitTick(5000));
        assertTrue(Files.readString(fx.dir.resolve("data/mariadbmon-cluster1.json")).contains("server2"));
        assertEquals(204, fx.call("PUT", "/v1/servers/server2/clear?state=maintenance", null).status());
        assertEquals(2000L, Json.at(m, "attributes", "monitor_diagnostics", "backend_read_timeout_ms"));
        AdminFixture.Reply bad = fx.call("PATCH", "/v1/monitors/cluster1",
                "{\"data\":{\"attributes\":{\"parameters\":{\"backend_read_timeout\":\"0s\"}}}}");
        assertEquals(400, bad.status());
        assertTrue(detail(bad).contains("backend_read_timeout"), detail(bad));

        // Server3 leaves the monitor: it is no longer a Slave for anyone; the rws service follows the monitor.
        r = fx.call("PATCH", "/v1/monitors/cluster1/relationships/servers",
                "{\"data\":[{\"id\":\"server1\",\"type\":\"servers\"},{\"id\":\"server2\",\"type\":\"servers\"}]}");
        assertEquals(204, r.status(), r.body());
        assertEquals(List.of("server1", "server2"), ids(data("/v1/services/rws"), "servers"));
        assertEquals(List.of(), ids(data("/v1/servers/server3"), "monitors"));
        assertEquals("Running", Json.at(data("/v1/servers/server3"), "attributes", "state"));
        try (Connection conn = app(fx.port("rws"))) {
            assertEquals("1", scalar(conn, "SELECT 1"));
        }
        r = fx.call("PATCH", "/v1/servers/server3/relationships/monitors",
                "{\"data\":[{\"id\":\"cluster1\",\"type\":\"monitors\"}]}");
        assertEquals(204, r.status(), r.body());
        assertEquals("Slave, Running", Json.at(data("/v1/servers/server3"), "attributes", "state"));
        assertEquals(List.of("server1", "server2", "server3"), ids(data("/v1/services/rws"), "servers"));
    }
}
