package io.loomscale.admin;

import io.loomscale.config.ConfigLoader;
import io.loomscale.config.LoomScaleConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What {@link ConfigWriter} writes reads back as the same records. */
class ConfigWriterTest {
    private static final String CONF = """
            [loomscale]
            threads = 2
            logdir = "/tmp/l"
            datadir = "/tmp/d"
            libdir = "/tmp/lib"
            admin_port = 9000
            [server.a]
            address = "10.0.0.1"
            port = 3307
            weight = 2
            persistpoolmax = 5
            persistmaxtime = "1m"
            ssl = true
            ssl_version = "TLSv13"
            ssl_cipher = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"
            ssl_verify_peer_host = true
            [server.b]
            address = "b.example"
            proxy_protocol = true
            [monitor.m]
            module = "mariadbmon"
            servers = ["a", "b"]
            user = "mon"
            password = "p\\"w"
            monitor_interval = "1500ms"
            backend_read_timeout = 4
            [filter.h]
            module = "hintfilter"
            [service.rw]
            router = "readwritesplit"
            cluster = "m"
            user = "svc"
            password = ""
            filters = ["h"]
            max_connections = 10
            connection_timeout = 30
            max_slave_connections = "50%"
            causal_reads = "local"
            users_refresh_time = "30s"
            skip_authentication = true
            [service.ro]
            router = "readconnroute"
            router_options = "slave"
            servers = ["b"]
            user = "svc"
            password = "x"
            [listener.l1]
            service = "rw"
            address = "127.0.0.1"
            port = 4006
            proxy_protocol_networks = "10.0.0.0/8, 192.168.1.5"
            [listener.l2]
            service = "ro"
            socket = "/tmp/ro.sock"
            """;

    @Test
    void tablesReadBackAsTheSameConfiguration() {
        LoomScaleConfig a = ConfigLoader.parse(CONF, "a.toml");
        String text = ConfigWriter.toml(Map.of("loomscale", ConfigWriter.global(a.global())))
                + ConfigWriter.toml(ConfigWriter.tables(a));
        LoomScaleConfig b = ConfigLoader.parse(text, "b.toml");
        assertEquals(a.global(), b.global());
        assertEquals(a.servers(), b.servers());
        org.junit.jupiter.api.Assertions.assertTrue(b.servers().get("a").tls().verifyPeerHost()
                && b.servers().get("b").proxyProtocol() && !b.listeners().get("l1").proxyProtocolNetworks().isEmpty()
                && b.services().get("rw").auth().skipAuthentication(), "the security keys are written (premise)");
        assertEquals(a.listeners(), b.listeners());
        assertEquals(a.monitors().get("m").servers(), b.monitors().get("m").servers());
        assertEquals(a.monitors().get("m").password(), b.monitors().get("m").password());
        assertEquals(a.monitors().get("m").monitorInterval(), b.monitors().get("m").monitorInterval());
        assertEquals(a.monitors().get("m").params().value("backend_read_timeout"),
                b.monitors().get("m").params().value("backend_read_timeout"));
        for (String s : new String[] {"rw", "ro"}) {
            var x = a.services().get(s);
            var y = b.services().get(s);
            assertEquals(x.servers(), y.servers());
            assertEquals(x.cluster(), y.cluster());
            assertEquals(x.routerOptions(), y.routerOptions());
            assertEquals(x.filters(), y.filters());
            assertEquals(x.maxConnections(), y.maxConnections());
            assertEquals(x.connectionTimeout(), y.connectionTimeout());
            assertEquals(x.password(), y.password());
            assertEquals(x.params().keys(), y.params().keys());
            assertEquals(x.auth(), y.auth());
        }
        assertEquals("50%", b.services().get("rw").params().value("max_slave_connections"));
    }
}
