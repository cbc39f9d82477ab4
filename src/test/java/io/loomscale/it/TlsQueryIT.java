package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * QueryIT's transparency tests over TLS end to end: Connector/J with {@code sslMode=verify-full}
 * to a TLS-only listener, and TLS from the proxy to the servers ({@code ssl = true} with the
 * servers' certificate checked). The client must get exactly what it gets straight from the server.
 */
class TlsQueryIT extends QueryIT {
    private static TestProxy tls;

    @BeforeAll
    static void throughTls() {
        tls = startTlsProxy("tls-query");
        Db.PORT_OPTIONS.put(tls.writePort(), "sslMode=verify-full&serverSslCert=" + TestCerts.get().ca);
        proxy = tls;
    }

    /**
     * A proxy whose listener "write" (readconnroute to the primary) takes TLS clients only, with
     * TLS to the servers too.
     */
    static TestProxy startTlsProxy(String name) {
        TestCerts certs = TestCerts.get();
        TestCluster cluster = TestCluster.get();
        String serverCa = cluster.env().get("TLS_CA");
        assertTrue(serverCa != null && !serverCa.isEmpty(), "the test cluster offers TLS (cluster.sh without --no-tls)");
        String creds = TestCluster.serviceCredentialsToml();
        StringBuilder toml = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            toml.append("[server.server").append(i + 1).append("]\naddress = \"127.0.0.1\"\nport = ")
                    .append(cluster.ports().get(i)).append("\nssl = true\nssl_ca_cert = \"").append(serverCa)
                    .append("\"\nssl_verify_peer_certificate = true\n\n");
        }
        toml.append("[monitor.tlsmon]\nmodule = \"mariadbmon\"\nservers = [\"server1\", \"server2\", \"server3\"]\n")
                .append(creds).append("monitor_interval = \"500ms\"\n\n")
                .append("[service.write]\nrouter = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"tlsmon\"\n")
                .append(creds).append('\n')
                .append(TestProxy.listener("write", "write", TestProxy.freePort()).trim()).append('\n')
                .append("ssl = true\nssl_cert = \"").append(certs.serverCert).append("\"\nssl_key = \"")
                .append(certs.serverKey).append("\"\n\n");
        return TestProxy.start(name, toml.toString());
    }

    @AfterAll
    static void everyConnectionWasTls() {
        // The listener takes TLS clients only, so every test above went over TLS.
        Db.PORT_OPTIONS.put(tls.writePort(), "sslMode=disable");
        assertThrows(SQLException.class, () -> Db.app(tls.writePort()).close(), "a plain client is refused");
        Db.PORT_OPTIONS.remove(tls.writePort());
        tls.close();
    }
}
