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
        String creds = "user = \"" + TestCluster.SERVICE_USER + "\"\npassword = \"" + TestCluster.SERVICE_PASSWORD + "\"\n";
        String toml = "[server.plain]\naddress = \"127.0.0.1\"\nport = " + cluster.primaryPort() + "\n\n"
                + "[server.pp]\naddress = \"127.0.0.1\"\nport = " + cluster.primaryPort() + "\nproxy_protocol = true\n\n"
                + "[service.plain]\nrouter = \"readconnroute\"\nservers = [\"plain\"]\n" + creds + "\n"
                + "[service.pp]\nrouter = \"readconnroute\"\nservers = [\"pp\"]\n" + creds + "\n"
                + TestProxy.listener("plain", "plain", TestProxy.freePort())
                + TestProxy.listener("pp", "pp", TestProxy.freePort());
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
