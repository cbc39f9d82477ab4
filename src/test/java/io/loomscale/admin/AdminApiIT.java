package io.loomscale.admin;

import io.loomscale.config.Json;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static io.loomscale.admin.AdminFixture.app;
import static io.loomscale.admin.AdminFixture.eventually;
import static io.loomscale.admin.AdminFixture.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST admin interface's reads and state changes against a proxy in front of the real
 * cluster: JSON:API shapes, 401 and 404, sessions (list, show, kill), maintenance and drain as
 * the routers see them, module commands and account reloads.
 */
class AdminApiIT {
    private static AdminFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = AdminFixture.start("admin-api");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private static Object data(String path) {
        return Json.at(fx.get(path), "data");
    }

    private static String serverIdOf(int port) {
        return TestCluster.get().rootScalar(port, "SELECT @@server_id");
    }

    @Test
    void maxscaleResourceHasVersionUptimeThreadsAndConfig() {
        Object d = data("/v1/maxscale");
        assertEquals("maxscale", Json.at(d, "id"));
        assertEquals("maxscale", Json.at(d, "type"));
        assertNotNull(Json.at(d, "attributes", "version"));
        assertTrue(Json.at(d, "attributes", "uptime") instanceof Long);
        assertEquals(1L, Json.at(d, "attributes", "threads"));
        assertEquals(0L, Json.at(d, "attributes", "parameters", "admin_port"));
        assertTrue(Json.at(d, "attributes", "jvm", "heap_used_bytes") instanceof Long);
    }

    @Test
    void serversShowAddressPortStateConnectionsLagAndGtid() throws Exception {
        List<?> all = (List<?>) data("/v1/servers");
        assertEquals(List.of("server1", "server2", "server3"), all.stream().map(o -> Json.at(o, "id")).toList());
        TestCluster c = TestCluster.get();
        fx.proxy.monitors().get("cluster1").awaitTick(5000); // the GTID as of now, not as of the last tick
        Object s1 = data("/v1/servers/server1");
        assertEquals("servers", Json.at(s1, "type"));
        assertEquals((long) c.primaryPort(), Json.at(s1, "attributes", "parameters", "port"));
        assertEquals("Master, Running", Json.at(s1, "attributes", "state"));
        assertEquals(c.rootScalar(c.primaryPort(), "SELECT @@gtid_current_pos"),
                Json.at(s1, "attributes", "gtid_current_pos"));
        assertEquals(List.of("rws"), ids(s1, "services"));
        assertEquals(List.of("cluster1"), ids(s1, "monitors"));
        Object s2 = data("/v1/servers/server2");
        assertEquals("Slave, Running", Json.at(s2, "attributes", "state"));
        assertTrue((Long) Json.at(s2, "attributes", "replication_lag") >= 0, "a replica's lag is known");
        assertEquals(List.of("rws", "reads"), ids(s2, "services"));
        long before = replicaConnections();
        try (Connection conn = app(fx.port("reads"))) {
            scalar(conn, "SELECT 1");
            assertEquals(before + 1, replicaConnections(), "the session's connection is counted on its replica");
        }
    }

    private static long replicaConnections() {
        return (Long) Json.at(data("/v1/servers/server2"), "attributes", "statistics", "total_connections")
                + (Long) Json.at(data("/v1/servers/server3"), "attributes", "statistics", "total_connections");
    }

    private static List<Object> ids(Object resource, String rel) {
        List<?> l = (List<?>) Json.at(resource, "relationships", rel, "data");
        return l.stream().map(o -> Json.at(o, "id")).toList();
    }

    @Test
    void servicesListenersMonitorsAndFilters() throws Exception {
        Object rws = data("/v1/services/rws");
        assertEquals("readwritesplit", Json.at(rws, "attributes", "router"));
        assertEquals(List.of("server1", "server2", "server3"), ids(rws, "servers"));
        assertEquals(List.of("hints"), ids(rws, "filters"));
        assertEquals(List.of("rws"), ids(rws, "listeners"));
        assertNull(Json.at(rws, "attributes", "parameters", "password"), "no password in the API");
        assertTrue(Json.at(rws, "attributes", "router_diagnostics", "route_master") instanceof Long);
        assertEquals(2, ((List<?>) data("/v1/services")).size());

        Object l = data("/v1/listeners/reads");
        assertEquals((long) fx.port("reads"), Json.at(l, "attributes", "parameters", "port"));
        assertEquals(List.of("reads"), ids(l, "services"));
        assertEquals(2, ((List<?>) data("/v1/listeners")).size());
        assertEquals(1, ((List<?>) data("/v1/services/reads/listeners")).size());

        Object m = data("/v1/monitors/cluster1");
        assertEquals("mariadbmon", Json.at(m, "attributes", "module"));
        assertEquals("Running", Json.at(m, "attributes", "state"));
        assertEquals(List.of("server1", "server2", "server3"), ids(m, "servers"));
        assertNull(Json.at(m, "attributes", "parameters", "password"), "no password in the API");
        assertEquals(1, ((List<?>) data("/v1/monitors")).size());

        Object f = data("/v1/filters/hints");
        assertEquals("hintfilter", Json.at(f, "attributes", "module"));
        assertEquals(List.of("rws"), ids(f, "services"));
        assertEquals(1, ((List<?>) data("/v1/filters")).size());
    }

    private static void assertNull(Object o, String why) {
        assertTrue(o == null, why + ": " + o);
    }

    @Test
    void sessionsShowClientUserBackendsIdleAndStatement() throws Exception {
        try (Connection conn = app(fx.port("rws"))) {
            scalar(conn, "SELECT 42");
            Object mine = sessionOf("rws");
            assertNotNull(mine, "the session is listed");
            assertEquals("app", Json.at(mine, "attributes", "user"));
            assertTrue(Json.at(mine, "attributes", "remote").toString().startsWith("127.0.0.1:"));
            assertEquals(List.of("rws"), ids(mine, "services"));
            assertTrue(Json.at(mine, "attributes", "idle") instanceof Double);
            List<?> backends = (List<?>) Json.at(mine, "attributes", "backends");
            assertTrue(backends.stream().anyMatch(b -> "server1".equals(Json.at(b, "server"))), backends.toString());
            String id = (String) Json.at(mine, "id");
            Object one = data("/v1/sessions/" + id);
            assertTrue(Json.at(one, "attributes", "current_statement").toString().contains("SELECT 42"),
                    String.valueOf(Json.at(one, "attributes", "current_statement")));
        }
        // readconnroute forwards plain queries on the selector thread (the fast path): seen too.
        try (Connection conn = app(fx.port("reads"))) {
            scalar(conn, "SELECT 43");
            Object mine = sessionOf("reads");
            assertTrue(Json.at(mine, "attributes", "current_statement").toString().equals("COM_QUERY SELECT 43"),
                    String.valueOf(Json.at(mine, "attributes", "current_statement")));
        }
    }

    /** The one session of {@code service} open now (the tests open one at a time per service). */
    private static Object sessionOf(String service) {
        for (Object s : (List<?>) data("/v1/sessions")) {
            if (ids(s, "services").contains(service)) {
                return s;
            }
        }
        return null;
    }

    @Test
    void deletingASessionClosesTheClientConnection() throws Exception {
        try (Connection conn = app(fx.port("reads"))) {
            scalar(conn, "SELECT 1");
            String id = (String) Json.at(sessionOf("reads"), "id");
            assertEquals(204, fx.call("DELETE", "/v1/sessions/" + id, null).status());
            assertThrows(SQLException.class, () -> scalar(conn, "SELECT 1"));
            assertTrue(eventually(() -> fx.call("GET", "/v1/sessions/" + id, null).status() == 404));
        }
    }

    @ParameterizedTest
    @CsvSource({
        ",",                   // no credentials
        "admin,wrong",         // wrong password
        "nobody,mariadb",      // unknown user
    })
    void wrongCredentialsGet401(String user, String password) {
        for (String path : List.of("/v1/servers", "/v1/maxscale", "/v1/nosuch")) {
            AdminFixture.Reply r = fx.call("GET", path, null, user, password == null ? "" : password);
            assertEquals(401, r.status(), path);
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
            assertTrue(Json.at(((List<?>) Json.at(r.json(), "errors")).get(0), "detail").toString().contains("credentials"));
        }
        AdminFixture.Reply put = fx.call("PUT", "/v1/servers/server2/set?state=maintenance", null, user,
                password == null ? "" : password);
        assertEquals(401, put.status());
        assertFalse(fx.proxy.servers().get("server2").state().inMaintenance(), "a refused request changes nothing");
    }

    @Test
    void metricsNeedNoCredentials() {
        assertEquals(200, fx.call("GET", "/metrics", null, null, null).status());
    }

    @ParameterizedTest
    @CsvSource({
        "GET,/v1/servers/nosuch,no server named 'nosuch'",
        "GET,/v1/services/nosuch,no service named 'nosuch'",
        "GET,/v1/listeners/nosuch,no listener named 'nosuch'",
        "GET,/v1/monitors/nosuch,no monitor named 'nosuch'",
        "GET,/v1/filters/nosuch,no filter named 'nosuch'",
        "GET,/v1/sessions/987654,no session with id 987654",
        "GET,/v1/sessions/abc,no session with id 'abc'",
        "DELETE,/v1/sessions/987654,no session with id 987654",
        "PUT,/v1/servers/nosuch/set?state=maintenance,no server named 'nosuch'",
        "PUT,/v1/servers/nosuch/clear?state=drain,no server named 'nosuch'",
        "POST,/v1/services/nosuch/reload,no service named 'nosuch'",
        "GET,/v1/nosuch,no such resource collection: /v1/nosuch",
        "GET,/v2/servers,the API is under /v1/",
        "POST,/v1/maxscale/modules/mariadbmon/switchover?nosuch,no monitor named 'nosuch'",
        "GET,/v1/users/inet/nosuch,no admin user named 'nosuch'",
    })
    void unknownNamesGet404WithAMessage(String method, String path, String message) {
        AdminFixture.Reply r = fx.call(method, path, null);
        assertEquals(404, r.status(), r.body());
        String detail = Json.at(((List<?>) Json.at(r.json(), "errors")).get(0), "detail").toString();
        assertTrue(detail.contains(message), detail);
    }

    @Test
    void badRequestsGet4xxWithAMessage() {
        AdminFixture.Reply noState = fx.call("PUT", "/v1/servers/server2/set", null);
        assertEquals(400, noState.status());
        assertTrue(noState.body().contains("allowed: maintenance, drain"), noState.body());
        AdminFixture.Reply badState = fx.call("PUT", "/v1/servers/server2/set?state=master", null);
        assertEquals(400, badState.status());
        assertTrue(badState.body().contains("state 'master' cannot be set"), badState.body());
        AdminFixture.Reply method = fx.call("DELETE", "/v1/services/rws", null);
        assertEquals(405, method.status());
        assertTrue(method.body().contains("allowed: GET, PATCH"), method.body());
        AdminFixture.Reply json = fx.call("PATCH", "/v1/servers/server2", "{not json");
        assertEquals(400, json.status());
        assertTrue(json.body().contains("invalid JSON at offset 1"), json.body());
    }

    @Test
    void moduleCommandErrorsFromTheMonitorAre4xxWithItsMessage() {
        // Whatever the monitor implements, an unknown command is refused with a message naming it.
        AdminFixture.Reply r = fx.call("POST", "/v1/maxscale/modules/mariadbmon/nosuchcommand?cluster1", null);
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("nosuchcommand"), r.body());
        AdminFixture.Reply noArgs = fx.call("POST", "/v1/maxscale/modules/mariadbmon/switchover", null);
        assertEquals(400, noArgs.status());
        assertTrue(noArgs.body().contains("needs the monitor's name"), noArgs.body());
        AdminFixture.Reply other = fx.call("POST", "/v1/maxscale/modules/galeramon/switchover?cluster1", null);
        assertEquals(400, other.status());
        assertTrue(other.body().contains("is a mariadbmon monitor, not galeramon"), other.body());
        // switchover to a server that does not exist: refused (no such command yet, or no such server).
        AdminFixture.Reply sw = fx.call("POST", "/v1/maxscale/modules/mariadbmon/switchover?cluster1&nosuchserver", null);
        assertTrue(sw.status() >= 400 && sw.status() < 500, sw.status() + " " + sw.body());
        assertFalse(Json.at(((List<?>) Json.at(sw.json(), "errors")).get(0), "detail").toString().isEmpty());
        assertEquals("Master, Running", Json.at(data("/v1/servers/server1"), "attributes", "state"));
    }

    @Test
    void reloadServiceReloadsAccounts() throws Exception {
        TestCluster c = TestCluster.get();
        c.rootSql(c.primaryPort(), "CREATE USER IF NOT EXISTS 'adm_reload'@'%' IDENTIFIED BY 'pw1'");
        try {
            c.waitForReplication();
            assertEquals(204, fx.call("POST", "/v1/services/reads/reload", null).status());
            try (Connection conn = java.sql.DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + fx.port("reads")
                    + "/?user=adm_reload&password=pw1")) {
                assertEquals("1", scalar(conn, "SELECT 1"));
            }
        } finally {
            c.rootSql(c.primaryPort(), "DROP USER IF EXISTS 'adm_reload'@'%'");
        }
    }

    @Test
    void drainedServerGetsNoNewSessionsWhileItsSessionsFinish() throws Exception {
        try (Connection first = app(fx.port("reads"))) {
            String sid = scalar(first, "SELECT @@server_id");
            String drained = sid.equals(serverIdOf(TestCluster.get().replicaPorts().get(0))) ? "server2" : "server3";
            assertEquals(204, fx.call("PUT", "/v1/servers/" + drained + "/set?state=drain", null).status());
            try {
                Object s = data("/v1/servers/" + drained);
                assertTrue(Json.at(s, "attributes", "state").toString().contains("Draining"), s.toString());
                assertEquals(1L, Json.at(s, "attributes", "statistics", "connections"), "the remaining session is counted");
                List<Connection> later = new ArrayList<>();
                try {
                    for (int i = 0; i < 4; i++) {
                        Connection c = app(fx.port("reads"));
                        later.add(c);
                        assertNotEquals(sid, scalar(c, "SELECT @@server_id"), "a new session avoids the drained server");
                    }
                    // The old session goes on, on the drained server, and the monitor keeps the flag.
                    fx.proxy.monitors().get("cluster1").awaitTick(5000);
                    assertEquals(sid, scalar(first, "SELECT @@server_id"));
                    assertTrue(fx.proxy.servers().get(drained).state().isDraining());
                } finally {
                    for (Connection c : later) {
                        c.close();
                    }
                }
            } finally {
                assertEquals(204, fx.call("PUT", "/v1/servers/" + drained + "/clear?state=drain", null).status());
            }
            assertFalse(fx.proxy.servers().get(drained).state().isDraining());
        }
    }

    @Test
    void drainedPrimaryKeepsItsReadWriteSplitSessionsButTakesNoNewOne() throws Exception {
        try (Connection old = app(fx.port("rws"))) {
            scalar(old, "SELECT 1");
            assertEquals(204, fx.call("PUT", "/v1/servers/server1/set?state=drain", null).status());
            try {
                SQLException e = assertThrows(SQLException.class, () -> app(fx.port("rws")).close());
                assertTrue(e.getMessage().contains("no primary server is available for service 'rws'"), e.getMessage());
                try (var st = old.createStatement()) {
                    st.execute("CREATE TABLE IF NOT EXISTS test.adm_drain (i INT)");
                    st.execute("DROP TABLE test.adm_drain");
                }
            } finally {
                assertEquals(204, fx.call("PUT", "/v1/servers/server1/clear?state=drain", null).status());
            }
            try (Connection fresh = app(fx.port("rws"))) {
                assertEquals("1", scalar(fresh, "SELECT 1"));
            }
        }
    }

    @Test
    void maintenanceReplicaGetsNoNewSessionsWhileExistingOnesContinue() throws Exception {
        try (Connection old = app(fx.port("rws"))) {
            scalar(old, "SELECT 1");
            assertEquals(204, fx.call("PUT", "/v1/servers/server3/set?state=maintenance", null).status());
            try {
                assertTrue(Json.at(data("/v1/servers/server3"), "attributes", "state").toString().startsWith("Maintenance"));
                fx.proxy.monitors().get("cluster1").awaitTick(5000);
                assertTrue(fx.proxy.servers().get("server3").state().inMaintenance(), "the monitor keeps the flag");
                for (int i = 0; i < 3; i++) {
                    try (Connection fresh = app(fx.port("rws"))) {
                        assertEquals(serverIdOf(TestCluster.get().replicaPorts().get(0)), scalar(fresh, "SELECT @@server_id"),
                                "reads of a new session go to the replica not in maintenance");
                        List<?> backends = (List<?>) Json.at(sessionOf("rws", 2), "attributes", "backends");
                        assertFalse(backends.stream().anyMatch(b -> "server3".equals(Json.at(b, "server"))),
                                "no connection to the server in maintenance: " + backends);
                    }
                }
                // The session opened before goes on: reads and a write.
                assertEquals("7", scalar(old, "SELECT 7"));
                try (var st = old.createStatement()) {
                    st.execute("CREATE TABLE IF NOT EXISTS test.adm_maint (i INT)");
                    st.execute("DROP TABLE test.adm_maint");
                }
            } finally {
                assertEquals(204, fx.call("PUT", "/v1/servers/server3/clear?state=maintenance", null).status());
            }
            assertTrue(eventually(() -> !fx.proxy.servers().get("server3").state().inMaintenance()));
        }
    }

    /** The newest session of {@code service} when {@code count} of its sessions are open. */
    private static Object sessionOf(String service, int count) {
        List<Object> mine = new ArrayList<>();
        for (Object s : (List<?>) data("/v1/sessions")) {
            if (ids(s, "services").contains(service)) {
                mine.add(s);
            }
        }
        assertEquals(count, mine.size(), mine.toString());
        return mine.get(mine.size() - 1);
    }

    @Test
    void adminUsersAreCreatedChangedAndRemoved() {
        String create = "{\"data\":{\"id\":\"ops\",\"type\":\"inet\",\"attributes\":{\"password\":\"s3cret\"}}}";
        assertEquals(204, fx.call("POST", "/v1/users/inet", create).status());
        assertEquals(403, fx.call("POST", "/v1/users/inet", create).status(), "exists already");
        assertEquals(200, fx.call("GET", "/v1/servers", null, "ops", "s3cret").status());
        assertEquals(204, fx.call("PATCH", "/v1/users/inet/ops",
                "{\"data\":{\"attributes\":{\"password\":\"n3w\"}}}", "ops", "s3cret").status());
        assertEquals(401, fx.call("GET", "/v1/servers", null, "ops", "s3cret").status());
        assertEquals(200, fx.call("GET", "/v1/servers", null, "ops", "n3w").status());
        List<?> users = (List<?>) data("/v1/users/inet");
        assertEquals(List.of("admin", "ops"), users.stream().map(u -> Json.at(u, "id")).toList());
        assertTrue(java.nio.file.Files.exists(fx.dir.resolve("data/admin_users")), "stored under datadir");
        assertEquals(204, fx.call("DELETE", "/v1/users/inet/ops", null).status());
        assertEquals(401, fx.call("GET", "/v1/servers", null, "ops", "n3w").status());
    }
}
