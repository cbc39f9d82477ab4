package io.loomscale.it;

import io.loomscale.admin.AdminServer;
import io.loomscale.cli.Main;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code loomscale ctl call command mariadbmon switchover MONITOR NEW} through the REST API's
 * module-command endpoint, on a cluster of its own ({@link HaCluster}), since it changes which
 * server is the primary; and a refused switchover exits 1 with the monitor's message.
 */
class AdminSwitchoverIT {
    @AfterAll
    static void stopCluster() throws Exception {
        HaCluster.stop();
    }

    private static String[] ctl(int port, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "ctl";
        all[1] = "--host";
        all[2] = "127.0.0.1:" + port;
        System.arraycopy(args, 0, all, 3, args.length);
        return all;
    }

    @Test
    void ctlSwitchoverMovesThePrimaryAndRefusalsCarryTheMonitorsMessage() throws Exception {
        TestCluster.get();
        HaCluster.fresh();
        String toml = HaCluster.servers() + "[monitor.hamon]\nmodule = \"mariadbmon\"\n"
                + "servers = [\"server1\", \"server2\", \"server3\"]\n"
                + TestCluster.serviceCredentialsToml()
                + "monitor_interval = \"500ms\"\nreplication_user = \"repl\"\nreplication_password = \"repl\"\n\n"
                + "[service.rws]\nrouter = \"readwritesplit\"\ncluster = \"hamon\"\nuser = \"" + TestCluster.SERVICE_USER
                + "\"\npassword = \"" + TestCluster.SERVICE_PASSWORD + "\"\n\n"
                + TestProxy.listener("rws", "rws", TestProxy.freePort());
        try (TestProxy p = TestProxy.start("admin-switchover", toml)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!(p.server("server1").state().isMaster() && p.server("server2").state().isSlave())
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(p.server("server1").state().isMaster(), "server1 starts as the primary");
            try (AdminServer admin = AdminServer.start(p.runtime(), null)) {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                CommandLine cl = new CommandLine(new Main());
                cl.setOut(new PrintWriter(out, true));
                cl.setErr(new PrintWriter(err, true));
                int exit = cl.execute(ctl(admin.port(), "call", "command", "mariadbmon", "switchover", "hamon", "server2"));
                assertEquals(0, exit, err.toString());
                assertTrue(out.toString().contains("server2 is the primary"), out.toString());
                // The command returns when the cluster has switched; the monitor publishes it at its next tick.
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!(p.server("server2").state().isMaster() && p.server("server1").state().isSlave())
                        && System.nanoTime() < until) {
                    Thread.sleep(100);
                }
                assertTrue(p.server("server2").state().isMaster(), p.server("server2").state().describe());
                assertTrue(p.server("server1").state().isSlave(), p.server("server1").state().describe());
                try (Connection c = HaCluster.root(1)) {
                    assertEquals("1", Db.scalar(c, "SELECT @@read_only"), "the old primary is read-only");
                }
                StringWriter err2 = new StringWriter();
                CommandLine cl2 = new CommandLine(new Main());
                cl2.setErr(new PrintWriter(err2, true));
                assertEquals(1, cl2.execute(ctl(admin.port(), "call", "command", "mariadbmon", "rejoin", "hamon",
                        "nosuch")));
                assertTrue(err2.toString().startsWith("Error: monitor hamon does not watch a server named 'nosuch'"),
                        err2.toString());
            }
        }
    }
}
