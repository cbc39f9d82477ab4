package io.loomscale.convert;

import io.loomscale.config.ConfigLoader;
import io.loomscale.config.LoomScaleConfig;
import io.loomscale.config.MonitorConfig;
import io.loomscale.config.ServiceConfig;
import io.loomscale.module.Modules;
import io.loomscale.service.LoomScale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The converter on MaxScale configurations written from what MaxScale's documentation
 * describes (src/test/resources/convert: readwritesplit with a hint and a query-log filter,
 * readconnroute, mysqlmon, two client listeners and a MaxAdmin one, servers in
 * maxscale.cnf.d/ with @include), checked by loading the result as {@code loomscale check}
 * does.
 */
class MaxScaleConverterTest {
    private static final Path FIXTURE = Path.of("src/test/resources/convert/maxscale.cnf");

    private static Conversion convert(String text, Set<String> filterModules) {
        Map<String, IniReader.Section> m = new LinkedHashMap<>();
        IniReader.parse(text, "t.cnf", m);
        return MaxScaleConverter.convert(List.copyOf(m.values()), "t.cnf", filterModules);
    }

    private static boolean dropped(Conversion c, String section, String key) {
        return c.notes(Note.Kind.DROPPED).stream()
                .anyMatch(n -> n.section().equals(section) && java.util.Objects.equals(n.key(), key));
    }

    @Test
    void documentedSetupConvertsToAConfigThatCheckAccepts(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ConvertCommand.run(FIXTURE, null, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String toml = out.toString(StandardCharsets.UTF_8);
        String messages = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, messages);
        assertTrue(messages.contains("the result passes loomscale check"), messages);

        // Load it again the way `loomscale check -c FILE` does, from a file.
        Path file = dir.resolve("loomscale.toml");
        Files.writeString(file, toml);
        LoomScaleConfig cfg = ConfigLoader.load(file);
        Modules modules = Modules.load(cfg.global().libdir());
        LoomScale.check(cfg, modules);

        assertEquals(Set.of("db1", "db2", "db3"), cfg.servers().keySet());
        assertEquals(3307, cfg.servers().get("db3").port());
        assertEquals(3306, cfg.servers().get("db1").port(), "port from the @include section");
        assertEquals(10, cfg.servers().get("db2").persistpoolmax());
        assertEquals(Duration.ofHours(1), cfg.servers().get("db1").persistmaxtime());
        assertEquals(3, cfg.servers().get("db1").weight(), "weightby=serversize");
        assertEquals("10.0.0.1", cfg.servers().get("db1").address());

        MonitorConfig mon = cfg.monitors().get("Replication-Monitor");
        assertEquals("mariadbmon", mon.module());
        assertEquals(List.of("db1", "db2", "db3"), mon.servers(), "the multi-line servers list");
        assertEquals("monpw", mon.password(), "passwd");
        assertEquals(Duration.ofMillis(2500), mon.monitorInterval(), "a bare monitor_interval counts milliseconds");
        assertEquals(Boolean.TRUE, mon.params().value("auto_failover"));
        assertEquals(3L, mon.params().value("failcount"));
        assertEquals("repl", mon.params().value("replication_user"));

        ServiceConfig rws = cfg.services().get("Splitter-Service");
        assertEquals("readwritesplit", rws.router());
        assertEquals("maxpw", rws.password());
        assertEquals("LEAST_BEHIND_MASTER", rws.params().string("slave_selection_criteria", null),
                "from 2.1's router_options");
        assertEquals(Boolean.TRUE, rws.params().value("master_accept_reads"));
        assertEquals("100%", rws.params().value("max_slave_connections"));
        assertEquals(Boolean.TRUE, rws.params().value("transaction_replay"));
        assertEquals(1048576L, rws.params().value("transaction_replay_max_size"), "1Mi");
        ServiceConfig ro = cfg.services().get("Read-Only-Service");
        assertEquals("readconnroute", ro.router());
        assertEquals("slave", ro.routerOptions());
        assertEquals(200, ro.maxConnections());
        assertEquals(Duration.ofHours(1), ro.connectionTimeout());

        assertEquals(Set.of("Splitter-Listener", "Read-Only-Listener"), cfg.listeners().keySet());
        assertEquals(4006, cfg.listeners().get("Splitter-Listener").port());
        assertEquals("0.0.0.0", cfg.listeners().get("Splitter-Listener").address());
        assertEquals(4008, cfg.listeners().get("Read-Only-Listener").port());
        assertEquals("info", cfg.global().logLevel());
        assertEquals(4, cfg.global().threads());

        // What could not be carried over is named, with file, line and reason.
        for (String expected : List.of(
                "maxscale.cnf:9: [maxscale] logdir: not carried over: a MaxScale directory",
                "maxscale.cnf:28: [Replication-Monitor] script: not carried over: monitor scripts are not supported",
                "[Splitter-Service] optimistic_trx: not carried over",
                "maxscale.cnf:80: [Splitter-Listener] ssl: not carried over: the listener's TLS setup is incomplete",
                "[CLI]: section not carried over",
                "[CLI-Listener]: section not carried over: a MaxAdmin listener",
                "maxscale.cnf.d/servers.cnf:22: [db2] monitoruser: not carried over")) {
            assertTrue(messages.contains(expected), expected + " in:\n" + messages);
        }
        // The query-log filter: carried as-is once this LoomScale has a qlafilter module;
        // until then dropped with the reason, and left out of the service's chain.
        if (modules.filter("qlafilter") != null) {
            assertEquals("qlafilter", cfg.filters().get("Query-Log").module());
            assertEquals(List.of("Hints", "Query-Log"), rws.filters());
        } else {
            assertTrue(messages.contains("maxscale.cnf:30: [Query-Log]: section not carried over: LoomScale has no "
                    + "filter module 'qlafilter'"), messages);
            assertTrue(messages.contains("[Splitter-Service] filters: not carried over: filter 'Query-Log'"), messages);
            assertFalse(cfg.filters().containsKey("Query-Log"));
            assertEquals(List.of("Hints"), rws.filters());
        }
        // The TOML names them too, above each table, without values (passwords stay out of comments).
        assertTrue(toml.contains("# Not carried over: ssl_cert (the listener's TLS setup is incomplete"), toml);
        assertFalse(toml.contains("maxscale.pem") || toml.contains("notify.sh"), "no dropped value is written");
    }

    @Test
    void tlsAndProxyProtocolKeysAreCarriedOver() {
        Conversion c = convert("""
                [a]
                type=server
                address=h
                ssl=required
                ssl_ca_cert=/etc/ssl/ca.pem
                ssl_verify_peer_certificate=true
                ssl_version=TLSv13
                ssl_cipher=ECDHE-RSA-AES128-GCM-SHA256
                proxy_protocol=on
                [svc]
                type=service
                router=readconnroute
                servers=a
                user=u
                password=p
                [l]
                type=listener
                service=svc
                port=4006
                ssl=true
                ssl_cert=/etc/ssl/proxy.pem
                ssl_key=/etc/ssl/proxy.key
                ssl_version=TLSv10
                proxy_protocol_networks=10.0.0.0/8
                """, Set.of());
        String toml = c.toml();
        for (String line : new String[] {"ssl = true", "ssl_ca_cert = \"/etc/ssl/ca.pem\"",
            "ssl_verify_peer_certificate = true", "ssl_version = \"TLSv13\"", "proxy_protocol = true",
            "ssl_cert = \"/etc/ssl/proxy.pem\"", "ssl_key = \"/etc/ssl/proxy.key\"",
            "proxy_protocol_networks = \"10.0.0.0/8\""}) {
            assertTrue(toml.contains(line), line + " in:\n" + toml);
        }
        assertTrue(dropped(c, "a", "ssl_cipher"), "OpenSSL cipher names do not carry: " + c.notes());
        assertTrue(dropped(c, "l", "ssl_version"), "TLS 1.0 is not available: " + c.notes());
    }

    @Test
    void filterOfAModuleLoomScaleHasIsCarriedAsIs() {
        String cnf = """
                [qla]
                type=filter
                module=qlafilter
                filebase=/var/log/q
                flush=true
                log_type=session,unified
                match=/select "x"\\s/
                odd.key=7
                [svc]
                type=service
                router=readconnroute
                servers=a
                user=u
                password=p
                filters=qla
                [a]
                type=server
                address=h
                """;
        Conversion c = convert(cnf, Set.of("hintfilter", "qlafilter"));
        assertTrue(c.toml().contains("""
                [filter.qla]
                module = "qlafilter"
                filebase = "/var/log/q"
                flush = true
                log_type = "session,unified"
                match = "/select \\"x\\"\\\\s/"
                "odd.key" = 7
                """), c.toml());
        assertTrue(c.toml().contains("filters = [\"qla\"]"), c.toml());
        assertTrue(c.notes().isEmpty(), c.notes().toString());
    }

    @Test
    void includedSectionsAreMergedAndTheSectionsOwnKeysWin() {
        Conversion c = convert("""
                [base]
                type=include
                port=3307
                address=ignored
                [later]
                port=3308
                [s1]
                type=server
                @include=base,later
                address=10.1.1.1
                """, Set.of());
        LoomScaleConfig cfg = ConfigLoader.parse(c.toml(), "out.toml");
        assertEquals("10.1.1.1", cfg.servers().get("s1").address());
        assertEquals(3308, cfg.servers().get("s1").port(), "a later include wins over an earlier one");
        assertTrue(c.notes().isEmpty(), "included sections are not reported as objects without a type: " + c.notes());
        assertTrue(assertThrows(IniReader.IniException.class,
                () -> convert("[s]\ntype=server\n@include=nope\n", Set.of())).getMessage()
                .contains("t.cnf:3: [s] @include names section [nope], which is not defined"));
        assertTrue(assertThrows(IniReader.IniException.class,
                () -> convert("[a]\n@include=b\n[b]\n@include=a\n", Set.of())).getMessage().contains("@include loop"));
    }

    @Test
    void unsupportedObjectsAreDroppedWithTheObjectsThatNeedThem() {
        Conversion c = convert("""
                [g1]
                type=server
                address=h1
                [galera]
                type=monitor
                module=galeramon
                servers=g1
                user=u
                password=p
                [svc]
                type=service
                router=readconnroute
                cluster=galera
                user=u
                password=p
                router_options=synced,ndb
                [shard]
                type=service
                router=schemarouter
                servers=g1
                user=u
                password=p
                [shard-listener]
                type=listener
                service=shard
                port=4000
                [svc-listener]
                type=listener
                service=svc
                port=4001
                authenticator=PAMAuth
                [odd.name]
                type=server
                address=h2
                [nothing]
                x=1
                """, Set.of("hintfilter"));
        LoomScaleConfig cfg = ConfigLoader.parse(c.toml(), "out.toml");
        assertTrue(dropped(c, "galera", null));
        assertEquals(List.of("g1"), cfg.services().get("svc").servers(), "the dropped monitor's servers");
        assertNull(cfg.services().get("svc").cluster());
        assertEquals("synced", cfg.services().get("svc").routerOptions());
        assertTrue(dropped(c, "svc", "router_options"), "ndb");
        assertTrue(dropped(c, "shard", null));
        assertTrue(dropped(c, "shard-listener", null));
        assertFalse(cfg.listeners().containsKey("shard-listener"));
        assertTrue(dropped(c, "svc-listener", "authenticator"));
        assertTrue(cfg.servers().containsKey("odd_name"), c.toml());
        assertTrue(c.notes(Note.Kind.CHANGED).stream().anyMatch(n -> n.section().equals("odd.name")
                && n.reason().contains("renamed to 'odd_name'")));
        assertTrue(dropped(c, "nothing", null));
    }

    @Test
    void badValuesAreDroppedWithTheReason() {
        Conversion c = convert("""
                [maxscale]
                threads=many
                log_notice=0
                log_warning=1
                [s]
                type=server
                address=h
                port=33o6
                persistmaxtime=forever
                """, Set.of());
        assertTrue(dropped(c, "maxscale", "threads"));
        assertTrue(dropped(c, "s", "port"));
        assertTrue(c.notes(Note.Kind.DROPPED).stream().anyMatch(n -> n.key().equals("persistmaxtime")
                && n.reason().contains("is not a duration")));
        assertEquals("warn", ConfigLoader.parse(c.toml(), "o").global().logLevel());
    }

    @Test
    void unreadableInputIsAnErrorNotAnException(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("maxscale.cnf");
        Files.writeString(bad, "[a]\nno equals sign\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(1, ConvertCommand.run(bad, null, new PrintStream(out), new PrintStream(err, true,
                StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(bad + ":2: expected key=value"));
        assertEquals(0, out.size());
        assertEquals(1, ConvertCommand.run(dir.resolve("missing.cnf"), null, new PrintStream(out),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
    }

    @Test
    void outputThatFailsCheckIsWrittenAndReported(@TempDir Path dir) throws IOException {
        Path cnf = dir.resolve("maxscale.cnf");
        Files.writeString(cnf, "[svc]\ntype=service\nrouter=readconnroute\nuser=u\npassword=p\n");
        Path toml = dir.resolve("out.toml");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, ConvertCommand.run(cnf, toml, System.out, new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("does not pass loomscale check: " + toml
                + ":"), err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.readString(toml).contains("[service.svc]"));
    }
}
