package io.loomscale.admin;

import io.loomscale.config.Json;
import io.loomscale.cli.Main;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static io.loomscale.admin.AdminFixture.app;
import static io.loomscale.admin.AdminFixture.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code loomscale ctl} subcommand, run through the real command line ({@link Main}'s
 * picocli tree, output captured) against a proxy's admin interface over the real cluster:
 * tables, {@code --tsv}, {@code --json}, and exit 1 with the API's message.
 */
class CtlIT {
    private static AdminFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = AdminFixture.start("admin-ctl");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    record Run(int exit, String out, String err) {
    }

    private static Run ctl(String... args) {
        return ctlAs("admin", "mariadb", args);
    }

    private static Run ctlAs(String user, String password, String... args) {
        List<String> all = new ArrayList<>(List.of("ctl", "--host", "127.0.0.1:" + fx.admin.port(), "-u", user, "-p", password));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(all.toArray(new String[0]));
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run ok(String... args) {
        Run r = ctl(args);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err() + r.out());
        return r;
    }

    private static void fails(String message, String... args) {
        Run r = ctl(args);
        assertEquals(1, r.exit(), String.join(" ", args) + ": " + r.out());
        assertTrue(r.err().startsWith("Error: ") && r.err().contains(message), r.err());
    }

    @Test
    void listPrintsAlignedTablesTsvAndJson() {
        Run t = ok("list", "servers");
        List<String> lines = t.out().lines().toList();
        assertTrue(lines.get(0).startsWith("┌") && lines.get(1).startsWith("│ Server"), t.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains("server1") && l.contains("Master, Running")), t.out());
        int width = lines.get(0).length();
        assertTrue(lines.stream().allMatch(l -> l.length() == width), "every line of the table is as wide:\n" + t.out());

        Run tsv = ok("list", "servers", "--tsv");
        List<String> rows = tsv.out().lines().toList();
        assertEquals(3, rows.size(), tsv.out());
        String[] first = rows.get(0).split("\t", -1);
        assertEquals("server1", first[0]);
        assertEquals(Integer.toString(TestCluster.get().primaryPort()), first[2]);
        assertEquals("Master, Running", first[4]);

        Run json = ok("list", "servers", "--json");
        assertEquals(3, ((List<?>) Json.at(Json.parse(json.out()), "data")).size());

        for (String kind : List.of("services", "listeners", "monitors", "filters", "sessions", "users")) {
            Run r = ok("list", kind);
            assertTrue(r.out().startsWith("┌"), kind + ": " + r.out());
        }
        assertTrue(ok("list", "services", "--tsv").out().contains("rws\treadwritesplit\t"));
        assertTrue(ok("list", "monitors", "--tsv").out().contains("cluster1\tmariadbmon\tRunning\tserver1, server2, server3"));
        assertTrue(ok("list", "filters", "--tsv").out().contains("hints\thintfilter\trws"));
        assertTrue(ok("list", "listeners", "--tsv").out().contains("reads\t" + fx.port("reads") + "\t127.0.0.1\tRunning\treads"));
        assertTrue(ok("list", "users", "--tsv").out().contains("admin\tinet"));
    }

    @Test
    void showPrintsOneObjectAndUnknownNamesExitOneWithTheApiMessage() throws Exception {
        Run s = ok("show", "server", "server2", "--tsv");
        assertTrue(s.out().contains("state\tSlave, Running"), s.out());
        assertTrue(s.out().contains("parameters.port\t" + TestCluster.get().replicaPorts().get(0)), s.out());
        assertTrue(s.out().contains("relationships.services\trws, reads"), s.out());
        assertTrue(ok("show", "service", "rws", "--tsv").out().contains("router\treadwritesplit"));
        assertTrue(ok("show", "monitor", "cluster1", "--tsv").out().contains("module\tmariadbmon"));
        assertTrue(ok("show", "listener", "rws", "--tsv").out().contains("parameters.service\trws"));
        assertTrue(ok("show", "filter", "hints", "--tsv").out().contains("module\thintfilter"));
        assertTrue(ok("show", "maxscale", "--tsv").out().contains("threads\t1"));
        try (Connection c = app(fx.port("reads"))) {
            scalar(c, "SELECT 1");
            String id = ok("list", "sessions", "--tsv").out().lines().filter(l -> l.contains("\treads\t")).findFirst()
                    .orElseThrow().split("\t")[0];
            assertTrue(ok("show", "session", id, "--tsv").out().contains("user\tapp"));
        }
        fails("no server named 'nosuch'", "show", "server", "nosuch");
        fails("no service named 'nosuch'", "show", "service", "nosuch");
        fails("no monitor named 'nosuch'", "show", "monitor", "nosuch");
        fails("no session with id 99999", "show", "session", "99999");
        fails("show server needs the server's name", "show", "server");
    }

    @Test
    void wrongCredentialsOrNoProxyExitOne() {
        Run r = ctlAs("admin", "wrong", "list", "servers");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("wrong or missing credentials"), r.err());
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(new PrintWriter(err, true));
        assertEquals(1, cl.execute("ctl", "--host", "127.0.0.1:" + AdminFixture.freePort(), "list", "servers"));
        assertTrue(err.toString().contains("cannot reach the admin interface"), err.toString());
    }

    @Test
    void setAndClearDrainAndMaintenance() {
        assertEquals("OK", ok("set", "server", "server3", "drain").out().trim());
        assertTrue(ok("list", "servers", "--tsv").out().contains("server3\t127.0.0.1\t"
                + TestCluster.get().replicaPorts().get(1) + "\t0\tDraining, Slave, Running"));
        ok("clear", "server", "server3", "drain");
        assertFalse(fx.proxy.servers().get("server3").state().isDraining());
        ok("set", "server", "server3", "maintenance");
        assertTrue(fx.proxy.servers().get("server3").state().inMaintenance());
        ok("clear", "server", "server3", "maintenance");
        assertFalse(fx.proxy.servers().get("server3").state().inMaintenance());
        fails("state 'master' cannot be set", "set", "server", "server3", "master");
        fails("no server named 'ghost'", "clear", "server", "ghost", "drain");
    }

    @Test
    void createLinkAlterUnlinkDestroyAServer() {
        int port = TestCluster.get().replicaPorts().get(1);
        ok("create", "server", "ctlsrv", "127.0.0.1", Integer.toString(port), "--services", "reads");
        assertTrue(ok("show", "server", "ctlsrv", "--tsv").out().contains("relationships.services\treads"));
        ok("alter", "server", "ctlsrv", "weight", "3", "persistpoolmax", "2");
        assertEquals(3, fx.proxy.servers().get("ctlsrv").weight());
        assertEquals(2, fx.proxy.servers().get("ctlsrv").config().persistpoolmax());
        fails("server parameter 'colour' cannot be changed at run time", "alter", "server", "ctlsrv", "colour", "red");
        fails("still used by reads", "destroy", "server", "ctlsrv");
        ok("unlink", "service", "reads", "ctlsrv");
        assertTrue(ok("show", "service", "reads", "--tsv").out().contains("relationships.servers\tserver2, server3\n"));
        ok("link", "service", "reads", "ctlsrv");
        assertTrue(ok("show", "service", "reads", "--tsv").out().contains("relationships.servers\tserver2, server3, ctlsrv\n"));
        ok("unlink", "service", "reads", "ctlsrv");
        ok("destroy", "server", "ctlsrv");
        fails("no server named 'ctlsrv'", "show", "server", "ctlsrv");
        fails("a server named 'server1' already exists", "create", "server", "server1", "127.0.0.1", "3306");
        fails("link the servers to that monitor instead", "link", "service", "rws", "server1");
    }

    @Test
    void alterServiceAndMonitorAndLinkAMonitor() {
        ok("alter", "service", "reads", "connection_timeout", "3600s");
        assertEquals(3600, fx.proxy.services().get("reads").config().connectionTimeout().toSeconds());
        fails("cannot be changed at run time", "alter", "service", "reads", "router", "readwritesplit");
        ok("alter", "monitor", "cluster1", "monitor_interval", "400ms");
        assertTrue(ok("show", "monitor", "cluster1", "--tsv").out().contains("parameters.monitor_interval\t400"));
        ok("unlink", "monitor", "cluster1", "server3");
        assertTrue(ok("show", "monitor", "cluster1", "--tsv").out().contains("relationships.servers\tserver1, server2\n"));
        ok("link", "monitor", "cluster1", "server3");
        assertTrue(ok("show", "server", "server3", "--tsv").out().contains("state\tSlave, Running"));
        fails("alter monitor NAME needs KEY VALUE pairs", "alter", "monitor", "cluster1", "monitor_interval");
    }

    @Test
    void callCommandReloadKillAndUsers() throws Exception {
        fails("nosuchcommand", "call", "command", "mariadbmon", "nosuchcommand", "cluster1");
        fails("no monitor named 'nosuch'", "call", "command", "mariadbmon", "switchover", "nosuch");
        assertEquals("OK", ok("reload", "service", "rws").out().trim());
        fails("no service named 'nosuch'", "reload", "service", "nosuch");
        try (Connection c = app(fx.port("reads"))) {
            scalar(c, "SELECT 1");
            String id = ok("list", "sessions", "--tsv").out().lines().filter(l -> l.contains("\treads\t")).findFirst()
                    .orElseThrow().split("\t")[0];
            ok("kill", "session", id);
            assertThrows(SQLException.class, () -> scalar(c, "SELECT 1"));
        }
        fails("no session with id 99999", "kill", "session", "99999");
        ok("create", "user", "ctlops", "pw1");
        assertEquals(0, ctlAs("ctlops", "pw1", "list", "servers").exit());
        ok("alter", "user", "ctlops", "pw2");
        assertEquals(1, ctlAs("ctlops", "pw1", "list", "servers").exit());
        assertEquals(0, ctlAs("ctlops", "pw2", "list", "servers").exit());
        ok("destroy", "user", "ctlops");
        assertEquals(1, ctlAs("ctlops", "pw2", "list", "servers").exit());
        // This proxy logs to standard error (the tests' JVM): the log commands say so.
        fails("does not write a log file", "rotate", "logs");
        fails("does not write a log file", "alter", "logging", "log_level", "debug");
    }
}
