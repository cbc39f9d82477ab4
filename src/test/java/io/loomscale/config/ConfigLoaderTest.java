package io.loomscale.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String FULL = """
            [loomscale]
            threads = 4
            session_threads = 8
            log_level = "debug"
            logdir = "/tmp/ls/log"
            datadir = "/tmp/ls/data"
            libdir = "/tmp/ls/lib"

            [server.primary]
            type = "server"
            protocol = "MySQLBackend"
            address = "10.0.0.1"
            port = 3307
            weight = 3
            persistpoolmax = 10
            persistmaxtime = 60

            [server.replica]
            address = "10.0.0.2"

            [monitor.cluster]
            module = "mysqlmon"
            servers = ["primary", "replica"]
            user = "mon"
            password = "monpw"
            monitor_interval = 500
            detect_stale_master = true
            failcount = 5

            [filter.log]
            type = "filter"
            module = "qlafilter"
            filebase = "/tmp/qla"

            [service.rw]
            router = "readwritesplit"
            servers = ["replica", "primary"]
            user = "svc"
            password = ""
            router_options = "slave_selection_criteria=LEAST_CURRENT_OPERATIONS"
            filters = ["log"]
            max_connections = 100
            connection_timeout = "5m"
            enable_root_user = true
            max_slave_connections = 1

            [service.ro]
            router = "readconnroute"
            cluster = "cluster"
            user = "svc"
            password = "pw"

            [listener.rw]
            service = "rw"
            address = "127.0.0.1"
            port = 4006
            protocol = "mariadbclient"
            authenticator = "MySQLAuth"

            [listener.ro]
            service = "ro"
            socket = "/tmp/ro.sock"
            """;

    @Test
    void fullConfigRoundTripsIntoRecords() {
        LoomScaleConfig c = ConfigLoader.parse(FULL, "full.toml");

        assertEquals("full.toml", c.file());
        assertEquals(new GlobalConfig(4, 8, "debug", Path.of("/tmp/ls/log"), Path.of("/tmp/ls/data"),
                Path.of("/tmp/ls/lib")), c.global());
        assertEquals(new ServerConfig("primary", "10.0.0.1", 3307, 3, 10, Duration.ofSeconds(60)),
                c.servers().get("primary"));
        assertEquals(new ServerConfig("replica", "10.0.0.2", 3306, 1, 0, Duration.ZERO), c.servers().get("replica"));

        MonitorConfig m = c.monitors().get("cluster");
        assertEquals("mysqlmon", m.module());
        assertEquals(List.of("primary", "replica"), m.servers());
        assertEquals("mon", m.user());
        assertEquals("monpw", m.password());
        assertEquals(Duration.ofMillis(500), m.monitorInterval());
        assertEquals(List.of("detect_stale_master", "failcount"), List.copyOf(m.params().keys()));
        assertTrue(m.params().bool("detect_stale_master", false));
        assertEquals(5, m.params().integer("failcount", 0));

        FilterConfig f = c.filters().get("log");
        assertEquals("qlafilter", f.module());
        assertEquals(List.of("filebase"), List.copyOf(f.params().keys()));

        ServiceConfig rw = c.services().get("rw");
        assertEquals(new ServiceConfig("rw", "readwritesplit", List.of("replica", "primary"), null, "svc", "",
                "slave_selection_criteria=LEAST_CURRENT_OPERATIONS", List.of("log"), 100, Duration.ofMinutes(5),
                true, rw.params()), rw);
        assertEquals(1, rw.params().integer("max_slave_connections", 0));

        ServiceConfig ro = c.services().get("ro");
        assertEquals("cluster", ro.cluster());
        assertEquals(List.of("primary", "replica"), ro.servers(), "a cluster service uses the monitor's servers");
        assertEquals("", ro.routerOptions());
        assertEquals(List.of(), ro.filters());
        assertEquals(0, ro.maxConnections());
        assertEquals(Duration.ZERO, ro.connectionTimeout());
        assertFalse(ro.enableRootUser());
        assertTrue(ro.params().keys().isEmpty());

        assertEquals(new ListenerConfig("rw", "rw", "127.0.0.1", 4006, null), c.listeners().get("rw"));
        assertEquals(new ListenerConfig("ro", "ro", "::", 0, "/tmp/ro.sock"), c.listeners().get("ro"));
    }

    @Test
    void sameTextGivesEqualConfigs() {
        assertEquals(ConfigLoader.parse(FULL, "a.toml"), ConfigLoader.parse(FULL, "a.toml"));
    }

    @Test
    void emptyFileGivesDefaults() {
        LoomScaleConfig c = ConfigLoader.parse("", "empty.toml");

        assertEquals(GlobalConfig.defaults(), c.global());
        assertEquals(new GlobalConfig(1, 1, "notice", Path.of("/var/log/loomscale"), Path.of("/var/lib/loomscale"),
                Path.of("/usr/lib/loomscale")), c.global());
        assertTrue(c.servers().isEmpty());
        assertTrue(c.monitors().isEmpty());
        assertTrue(c.services().isEmpty());
        assertTrue(c.listeners().isEmpty());
        assertTrue(c.filters().isEmpty());
    }

    @Test
    void defaultsOfEveryObject() {
        LoomScaleConfig c = ConfigLoader.parse("""
                [server.a]
                address = "h"
                [monitor.m]
                module = "mariadbmon"
                servers = ["a"]
                user = "u"
                password = "p"
                [service.s]
                router = "readconnroute"
                servers = ["a"]
                user = "u"
                password = "p"
                [listener.l]
                service = "s"
                port = 4006
                """, "d.toml");

        assertEquals(new ServerConfig("a", "h", 3306, 1, 0, Duration.ZERO), c.servers().get("a"));
        assertEquals(Duration.ofSeconds(2), c.monitors().get("m").monitorInterval());
        ServiceConfig s = c.services().get("s");
        assertNull(s.cluster());
        assertEquals("", s.routerOptions());
        assertEquals(List.of(), s.filters());
        assertEquals(0, s.maxConnections());
        assertEquals(Duration.ZERO, s.connectionTimeout());
        assertFalse(s.enableRootUser());
        assertEquals(new ListenerConfig("l", "s", "::", 4006, null), c.listeners().get("l"));
    }

    @Test
    void autoThreadsAreTheNumberOfCores() {
        LoomScaleConfig c = ConfigLoader.parse("[loomscale]\nthreads = \"auto\"\nsession_threads = \"auto\"\n", "t.toml");

        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores, c.global().threads());
        assertEquals(cores, c.global().sessionThreads());
    }

    @Test
    void relativePathsStayRelative() {
        LoomScaleConfig c = ConfigLoader.parse("[loomscale]\nlogdir = \"a/log\"\n", "t.toml");

        assertEquals(Path.of("a/log"), c.global().logdir());
        assertFalse(c.global().logdir().isAbsolute());
    }

    @Test
    void objectsKeepFileOrderWhateverTheKindOrder() {
        LoomScaleConfig c = ConfigLoader.parse("""
                [listener.z]
                service = "s"
                port = 1
                [service.s]
                router = "r"
                servers = ["zeta", "alpha"]
                user = "u"
                password = "p"
                [server.zeta]
                address = "z"
                [server.alpha]
                address = "a"
                [server.mid]
                address = "m"
                [listener.a]
                service = "s"
                port = 2
                """, "t.toml");

        assertEquals(List.of("zeta", "alpha", "mid"), List.copyOf(c.servers().keySet()));
        assertEquals(List.of("z", "a"), List.copyOf(c.listeners().keySet()));
    }

    @Test
    void mapsAndListsAreUnmodifiable() {
        LoomScaleConfig c = ConfigLoader.parse(FULL, "t.toml");

        assertThrows(UnsupportedOperationException.class, () -> c.servers().remove("primary"));
        assertThrows(UnsupportedOperationException.class, () -> c.services().get("rw").servers().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> c.monitors().get("cluster").params().keys().clear());
    }

    @Test
    void aNameMayBeUsedByTwoKinds() {
        LoomScaleConfig c = ConfigLoader.parse("""
                [server.x]
                address = "h"
                [monitor.x]
                module = "mariadbmon"
                servers = ["x"]
                user = "u"
                password = "p"
                [service.x]
                router = "r"
                cluster = "x"
                user = "u"
                password = "p"
                [listener.x]
                service = "x"
                port = 3
                """, "t.toml");

        assertEquals(List.of("x"), c.services().get("x").servers());
    }

    @Test
    void whereGivesTheLineOfAKeyOrOfItsTable() {
        LoomScaleConfig c = ConfigLoader.parse(FULL, "full.toml");

        assertEquals("full.toml:56", c.where("listener.rw.port"));
        assertEquals("full.toml:53", c.where("listener.rw"));
        assertEquals("full.toml:2", c.where("loomscale.threads"));
        assertEquals("full.toml:60", c.where("listener.ro.port"), "a defaulted key points at its table");
        assertEquals("full.toml", c.where("listener.nope.port"));
        assertEquals("full.toml", c.where("nothing"));
    }

    @Test
    void configsBuiltInCodeHaveOnlyTheFileName() {
        LoomScaleConfig c = new LoomScaleConfig("x.toml", GlobalConfig.defaults(), java.util.Map.of(),
                java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), java.util.Map.of());

        assertEquals("x.toml", c.where("server.a.port"));
    }

    @Test
    void toStringHidesPasswords() {
        LoomScaleConfig c = ConfigLoader.parse(FULL, "t.toml");

        assertFalse(c.monitors().get("cluster").toString().contains("monpw"));
        assertFalse(c.services().get("ro").toString().contains("=pw"));
        assertTrue(c.services().get("ro").toString().contains("password=***"));
    }

    @Test
    void loadReadsAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.toml");
        Files.writeString(file, "[server.a]\naddress = \"h\"\nport = 99999\n");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":3: [server.a] key 'port': value 99999 is out of range; allowed: an integer from 1 to 65535",
                e.getMessage());
        assertEquals(file.toString(), e.file());
    }

    @Test
    void missingFileIsAConfigException(@TempDir Path dir) {
        Path file = dir.resolve("absent.toml");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.getMessage().startsWith(file + ": cannot read the file"), e.getMessage());
        assertEquals(0, e.line());
        assertEquals("", e.keyPath());
    }

    @Test
    void syntaxErrorHasFileAndLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("[server.a]\naddress = \"h\"\nport = \n", "bad.toml"));

        assertEquals(3, e.line());
        assertEquals("bad.toml", e.file());
        assertTrue(e.getMessage().startsWith("bad.toml:3: invalid TOML: "), e.getMessage());
    }

    @Test
    void duplicateKeyIsASyntaxError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("[server.a]\naddress = \"h\"\naddress = \"i\"\n", "dup.toml"));

        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("dup.toml:3: invalid TOML: "), e.getMessage());
    }

    @Test
    void serviceAuthenticationKeysAreReadAndKeptFromTheRouter() {
        String toml = "[server.a]\naddress = \"h\"\n[service.s]\nrouter = \"readconnroute\"\nservers = [\"a\"]\n"
                + "user = \"u\"\npassword = \"p\"\nusers_refresh_time = \"30s\"\nlocalhost_match_wildcard_host = false\n"
                + "skip_authentication = true\n[service.d]\nrouter = \"readconnroute\"\nservers = [\"a\"]\n"
                + "user = \"u\"\npassword = \"p\"\n";
        LoomScaleConfig cfg = ConfigLoader.parse(toml, "t.toml");
        assertEquals(new ServiceConfig.Auth(Duration.ofSeconds(30), false, true), cfg.services().get("s").auth());
        assertTrue(cfg.services().get("s").params().keys().isEmpty(), "not left for the router");
        assertEquals(ServiceConfig.Auth.DEFAULTS, cfg.services().get("d").auth());
    }
}
