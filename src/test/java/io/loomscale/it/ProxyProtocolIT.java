package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code proxy_protocol = true} on a server: the proxy opens each backend connection with a PROXY
 * header naming the client, so the server (whose {@code proxy_protocol_networks} covers
 * 127.0.0.0/8, see cluster.sh) shows the client's own address in its processlist and checks
 * grants against it. The client binds to 127.0.0.2 to have an address of its own.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyProtocolIT {
    private static final String HOST_USER = "it_pp_host";
    private static final String HOST_PW = "it_pp_pw";
    private static final String BIND = "localSocketAddress=127.0.0.2";
    private static final String SELF = "SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()";

    private static TestProxy proxy;

    @BeforeAll
    static void setUp() throws Exception {
        TestCluster cluster = TestCluster.get();
        // An account that exists only for clients at 127.0.0.2.
        Db.rootOnPrimary("CREATE OR REPLACE USER '" + HOST_USER + "'@'127.0.0.2' IDENTIFIED BY '" + HOST_PW + "'",
                "GRANT SELECT ON test.* TO '" + HOST_USER + "'@'127.0.0.2'");
        cluster.waitForReplication();
        String creds = TestCluster.serviceCredentialsToml();
        String toml = "[server.plain]\naddress = \"127.0.0.1\"\nport = " + cluster.primaryPort() + "\n\n"
                + "[server.pp]\naddress = \"127.0.0.1\"\nport = " + cluster.primaryPort() + "\nproxy_protocol = true\n\n"
                + "[service.plain]\nrouter = \"readconnroute\"\nservers = [\"plain\"]\n" + creds + "\n"
                + "[service.pp]\nrouter = \"readconnroute\"\nservers = [\"pp\"]\n" + creds + "\n"
                + TestProxy.listener("plain", "plain", TestProxy.freePort())
                + TestProxy.listener("pp", "pp", TestProxy.freePort())
                // Behind a load balancer at 127.0.0.1 that sends PROXY headers.
                + TestProxy.listener("lb", "pp", TestProxy.freePort()).trim()
                + "\nproxy_protocol_networks = \"127.0.0.1/32\"\n\n";
        proxy = TestProxy.start("proxy-protocol", toml);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        Db.rootOnPrimary("DROP USER IF EXISTS '" + HOST_USER + "'@'127.0.0.2'");
    }

    @Test
    void serverSeesTheClientsOwnAddress() throws Exception {
        try (Connection c = Db.app(proxy.port("pp"), BIND)) {
            String host = Db.scalar(c, SELF);
            assertTrue(host.startsWith("127.0.0.2:"), "the server's processlist: " + host);
        }
        try (Connection c = Db.app(proxy.port("plain"), BIND)) {
            String host = Db.scalar(c, SELF);
            assertTrue(host.startsWith("127.0.0.1:"), "without proxy_protocol the server sees the proxy: " + host);
        }
    }

    /**
     * A load balancer in front (here a relay that starts each connection with a PROXY v1 header
     * naming 10.9.8.7:4321): the proxy takes the client's address from it, and passes it on to
     * the server with its own header. A client of the same network without a header still works.
     */
    @Test
    void headerFromALoadBalancerNamesTheClientUpToTheServer() throws Exception {
        try (HeaderRelay relay = new HeaderRelay(proxy.port("lb"),
                "PROXY TCP4 10.9.8.7 127.0.0.1 4321 " + proxy.port("lb") + "\r\n")) {
            try (Connection c = Db.app(relay.port())) {
                assertEquals("10.9.8.7:4321", Db.scalar(c, SELF));
            }
        }
        try (Connection c = Db.app(proxy.port("lb"))) {
            assertTrue(Db.scalar(c, SELF).startsWith("127.0.0.1:"), "no header: the peer's own address");
        }
    }

    @Test
    void headerFromOutsideTheNetworksIsNotTrusted() throws Exception {
        // The relay connects from 127.0.0.2, outside proxy_protocol_networks: its header is not
        // read as one, so the login fails instead of taking 10.9.8.7 on trust.
        try (HeaderRelay relay = new HeaderRelay(proxy.port("lb"), "PROXY TCP4 10.9.8.7 127.0.0.1 4321 1\r\n",
                "127.0.0.2")) {
            assertThrows(SQLException.class, () -> Db.app(relay.port()).close());
        }
        assertEquals(0, proxy.awaitSessions(0, java.time.Duration.ofSeconds(15)));
    }

    /** Accepts connections and relays each to {@code target}, writing {@code header} first. */
    private static final class HeaderRelay implements AutoCloseable {
        private final java.net.ServerSocket server;
        private final Thread acceptor;

        HeaderRelay(int target, String header) throws java.io.IOException {
            this(target, header, "127.0.0.1");
        }

        HeaderRelay(int target, String header, String bindFrom) throws java.io.IOException {
            server = new java.net.ServerSocket(0, 10, java.net.InetAddress.getByName("127.0.0.1"));
            acceptor = Thread.ofPlatform().daemon().start(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket in = server.accept();
                        java.net.Socket out = new java.net.Socket();
                        out.bind(new java.net.InetSocketAddress(bindFrom, 0));
                        out.connect(new java.net.InetSocketAddress("127.0.0.1", target));
                        out.getOutputStream().write(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        pump(in, out);
                        pump(out, in);
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
        }

        private static void pump(java.net.Socket from, java.net.Socket to) {
            Thread.ofPlatform().daemon().start(() -> {
                try (from; to) {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (java.io.IOException e) {
                    // one side closed
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
        }
    }

    @Test
    void serverChecksGrantsAgainstTheClientsAddress() throws Exception {
        try (Connection c = Db.connect(proxy.port("pp"), "test", HOST_USER, HOST_PW, BIND)) {
            assertEquals(HOST_USER + "@127.0.0.2", Db.scalar(c, "SELECT CURRENT_USER()"));
        }
        // Without the header the server sees 127.0.0.1, where the account does not exist.
        SQLException e = assertThrows(SQLException.class,
                () -> Db.connect(proxy.port("plain"), "test", HOST_USER, HOST_PW, BIND).close());
        assertEquals(1045, e.getErrorCode(), e.getMessage());
    }
}
