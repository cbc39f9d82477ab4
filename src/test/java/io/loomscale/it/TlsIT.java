package io.loomscale.it;

import io.loomscale.monitor.Server;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS on both sides of the proxy, with real clients: the {@code mariadb} CLI and Connector/J
 * verify the proxy's certificate (made by {@link TestCerts}) and run queries through a TLS-only
 * listener; a plain client is refused with MariaDB's error; a listener that demands client
 * certificates refuses clients without one or with one from another CA; backend TLS is seen by
 * the servers ({@code Ssl_cipher}) and needed by accounts created {@code REQUIRE SSL}, also for
 * the monitor and the account loader. A fuzz test sends broken TLS handshakes while a healthy
 * TLS session keeps running.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsIT {
    private static final String TLS_USER = "it_tls_only";
    private static final String TLS_PW = "it_tls_pw";

    private static TestCluster cluster;
    private static TestCerts certs;
    private static TestProxy proxy;

    @BeforeAll
    static void setUp() throws Exception {
        cluster = TestCluster.get();
        certs = TestCerts.get();
        String serverCa = cluster.env().get("TLS_CA");
        assertTrue(serverCa != null && !serverCa.isEmpty(), "the test cluster offers TLS (cluster.sh without --no-tls)");
        // An account that may log in over TLS only: monitor, account loader and sessions must all use TLS.
        Db.rootOnPrimary("CREATE OR REPLACE USER '" + TLS_USER + "'@'%' IDENTIFIED BY '" + TLS_PW + "' REQUIRE SSL",
                "GRANT SELECT ON mysql.* TO '" + TLS_USER + "'@'%'",
                "GRANT ALL ON test.* TO '" + TLS_USER + "'@'%'",
                "GRANT SHOW DATABASES, PROCESS, REPLICATION CLIENT, SLAVE MONITOR, BINLOG MONITOR ON *.* TO '"
                        + TLS_USER + "'@'%'");
        cluster.waitForReplication();
        StringBuilder toml = new StringBuilder(TestProxy.clusterServers(cluster));
        for (int i = 0; i < 3; i++) {
            toml.append("[server.tls").append(i + 1).append("]\naddress = \"127.0.0.1\"\nport = ")
                    .append(cluster.ports().get(i)).append("\nssl = true\nssl_ca_cert = \"").append(serverCa)
                    .append("\"\nssl_verify_peer_certificate = true\nssl_verify_peer_host = true\n\n");
        }
        String listenerTls = "ssl = true\nssl_cert = \"" + certs.serverCert + "\"\nssl_key = \"" + certs.serverKey
                + "\"\nssl_ca_cert = \"" + certs.ca + "\"\n";
        String creds = TestCluster.serviceCredentialsToml();
        String tlsCreds = "user = \"" + TLS_USER + "\"\npassword = \"" + TLS_PW + "\"\n";
        toml.append("[monitor.plain]\nmodule = \"mariadbmon\"\nservers = [\"server1\", \"server2\", \"server3\"]\n")
                .append(creds).append("monitor_interval = \"500ms\"\n\n")
                .append("[monitor.tls]\nmodule = \"mariadbmon\"\nservers = [\"tls1\", \"tls2\", \"tls3\"]\n")
                .append(tlsCreds).append("monitor_interval = \"500ms\"\n\n")
                .append("[service.plainback]\nrouter = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"plain\"\n")
                .append(creds).append('\n')
                .append("[service.tlsback]\nrouter = \"readwritesplit\"\ncluster = \"tls\"\n").append(tlsCreds).append('\n')
                .append(TestProxy.listener("tls", "plainback", TestProxy.freePort()).trim()).append('\n')
                .append(listenerTls).append('\n')
                .append(TestProxy.listener("certs", "plainback", TestProxy.freePort()).trim()).append('\n')
                .append(listenerTls).append("ssl_verify_peer_certificate = true\n\n")
                .append(TestProxy.listener("tlsback", "tlsback", TestProxy.freePort()).trim()).append('\n')
                .append(listenerTls).append("ssl_version = \"TLSv12\"\n\n");
        proxy = TestProxy.start("tls", toml.toString());
        awaitRunning("tls1", "tls2", "tls3");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        Db.rootOnPrimary("DROP USER IF EXISTS '" + TLS_USER + "'@'%'");
    }

    private static void awaitRunning(String... servers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (String name : servers) {
            Server s = proxy.server(name);
            while (!(s.state().isRunning() && (s.state().isMaster() || s.state().isSlave()))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("monitor over TLS never saw " + name + " running: " + s.state());
                }
                Thread.sleep(100);
            }
        }
    }

    private static MariadbCliIT.Run cli(int port, String user, String password, String... args) throws Exception {
        return MariadbCliIT.mariadb(port, user, password, args);
    }

    private String caOption() {
        return "--ssl-ca=" + certs.ca;
    }

    @Test
    void mariadbCliVerifiesTheProxyAndSeesTheSameResultsAsDirect() throws Exception {
        String sql = "select seq, concat('r', seq) as name, if(seq % 3 = 0, null, seq * 1.5) as x from seq_1_to_50;"
                + " select 'caf\u00e9' as word; select length(repeat('x', 3000000)); show warnings";
        MariadbCliIT.Run direct = cli(cluster.primaryPort(), Db.APP, Db.APP_PW, "--table", "test", "-e", sql);
        MariadbCliIT.Run viaTls = cli(proxy.port("tls"), Db.APP, Db.APP_PW, "--ssl", caOption(),
                "--ssl-verify-server-cert", "--table", "test", "-e", sql);
        assertEquals(0, direct.exit(), direct.err());
        assertEquals(direct, viaTls);

        MariadbCliIT.Run status = cli(proxy.port("tls"), Db.APP, Db.APP_PW, "--ssl", caOption(),
                "--ssl-verify-server-cert", "test", "-e", "status");
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().matches("(?s).*SSL:\\s+Cipher in use is \\S+.*"), status.out());
    }

    @Test
    void mariadbCliRefusesAProxyCertificateFromAnotherCa() throws Exception {
        MariadbCliIT.Run r = cli(proxy.port("tls"), Db.APP, Db.APP_PW, "--ssl", "--ssl-ca=" + certs.rogueCa,
                "--ssl-verify-server-cert", "test", "-e", "select 1");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("ERROR 2026"), "a TLS error, as with a server whose certificate is not trusted: " + r.err());
    }

    @Test
    void plainClientGetsTheServersErrorAndIsClosed() throws Exception {
        MariadbCliIT.Run r = cli(proxy.port("tls"), Db.APP, Db.APP_PW, "--skip-ssl", "test", "-e", "select 1");
        assertEquals(new MariadbCliIT.Run(1, "",
                "ERROR 1045 (28000): Access denied for user 'app'@'127.0.0.1' (using password: YES)\n"), r);
        SQLException e = assertThrows(SQLException.class, () -> Db.app(proxy.port("tls"), "sslMode=disable").close());
        assertEquals(1045, e.getErrorCode(), e.getMessage());
        assertEquals(0, proxy.awaitSessions(0, Duration.ofSeconds(10)), "refused sessions are gone");
    }

    @Test
    void connectorJVerifyFullRunsQueriesPreparedStatementsAndLargeValues() throws Exception {
        try (Connection c = tlsApp(proxy.port("tls"), "useServerPrepStmts=true", "allowMultiQueries=true")) {
            Db.exec(c, "CREATE OR REPLACE TABLE it_tls_t (id INT PRIMARY KEY, v LONGBLOB)");
            byte[] big = new byte[5 << 20];
            new Random(7).nextBytes(big);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO it_tls_t VALUES (?, ?)")) {
                for (int i = 1; i <= 3; i++) {
                    ps.setInt(1, i);
                    ps.setBytes(2, i == 2 ? big : new byte[] {(byte) i});
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT v, MD5(v) FROM it_tls_t WHERE id = ?")) {
                ps.setInt(1, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertArrayEquals(big, rs.getBytes(1));
                    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(big)), rs.getString(2));
                }
            }
            assertEquals("500500", Db.scalar(c, "SELECT SUM(seq) FROM seq_1_to_1000"));
            try (Statement st = c.createStatement()) {
                assertTrue(st.execute("SELECT 1; SELECT 2"));
                assertTrue(st.getMoreResults());
                SQLException e = assertThrows(SQLException.class, () -> st.executeQuery("SELECT * FROM it_tls_nope"));
                assertEquals(1146, e.getErrorCode());
            }
            c.setAutoCommit(false);
            Db.exec(c, "DELETE FROM it_tls_t WHERE id = 3");
            c.rollback();
            c.setAutoCommit(true);
            assertEquals("3", Db.scalar(c, "SELECT COUNT(*) FROM it_tls_t"));
            Db.exec(c, "DROP TABLE it_tls_t");
        }
    }

    @Test
    void clientCertificateIsDemandedWhereConfigured() throws Exception {
        int port = proxy.port("certs");
        MariadbCliIT.Run none = cli(port, Db.APP, Db.APP_PW, "--ssl", caOption(), "--ssl-verify-server-cert", "test",
                "-e", "select 1");
        assertNotEquals(0, none.exit(), "no client certificate: " + none);
        MariadbCliIT.Run rogue = cli(port, Db.APP, Db.APP_PW, "--ssl", caOption(), "--ssl-verify-server-cert",
                "--ssl-cert=" + certs.rogueClientCert, "--ssl-key=" + certs.rogueClientKey, "test", "-e", "select 1");
        assertNotEquals(0, rogue.exit(), "a certificate from another CA: " + rogue);
        MariadbCliIT.Run good = cli(port, Db.APP, Db.APP_PW, "--ssl", caOption(), "--ssl-verify-server-cert",
                "--ssl-cert=" + certs.clientCert, "--ssl-key=" + certs.clientKey, "-N", "-B", "test", "-e", "select 42");
        assertEquals(new MariadbCliIT.Run(0, "42\n", ""), good);
        assertEquals(0, proxy.awaitSessions(0, Duration.ofSeconds(10)));
    }

    @Test
    void backendSessionsRunOverTlsOnEveryServer() throws Exception {
        // TLS_USER is REQUIRE SSL: the proxy's account loader, monitor (setUp waited for it) and the
        // session's backend logins all had to use TLS for this to work.
        try (Connection c = Db.connect(proxy.port("tlsback"), "test", TLS_USER, TLS_PW, "sslMode=verify-full",
                "serverSslCert=" + certs.ca)) {
            String replicaCipher = Db.scalar(c, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
                    + " WHERE VARIABLE_NAME = 'SSL_CIPHER'");
            String replicaId = Db.scalar(c, "SELECT @@server_id");
            assertNotEquals("1", replicaId, "the read ran on a replica");
            assertTrue(replicaCipher != null && !replicaCipher.isEmpty(), "replica session cipher: " + replicaCipher);
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SHOW STATUS LIKE 'Ssl_cipher' -- maxscale route to master")) {
                assertTrue(rs.next());
                assertFalse(rs.getString(2).isEmpty(), "primary session cipher");
            }
        }
        // A plain backend (the other service) shows no cipher: the check above can fail.
        try (Connection c = tlsApp(proxy.port("tls"));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW STATUS LIKE 'Ssl_cipher'")) {
            assertTrue(rs.next());
            assertEquals("", rs.getString(2));
        }
    }

    @Test
    void listenerWithTlsv12OnlyNegotiatesTlsv12() throws Exception {
        try (Connection c = Db.connect(proxy.port("tlsback"), "test", TLS_USER, TLS_PW, "sslMode=verify-full",
                "serverSslCert=" + certs.ca)) {
            assertEquals("1", Db.scalar(c, "SELECT 1"));
        }
        SSLSocket s = tlsSocket(proxy.port("tlsback"), "TLSv1.3");
        assertThrows(IOException.class, s::startHandshake, "TLS 1.3 only client to a TLSv12 listener");
        s.close();
        SSLSocket ok = tlsSocket(proxy.port("tlsback"), "TLSv1.2");
        ok.startHandshake();
        assertEquals("TLSv1.2", ok.getSession().getProtocol());
        ok.close();
    }

    /** Broken TLS handshakes, one after another, while a healthy TLS session keeps querying. */
    @Test
    void brokenTlsHandshakesNeverDisturbAHealthySession() throws Exception {
        int port = proxy.port("tls");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong queries = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread healthy = Thread.ofPlatform().start(() -> {
            try (Connection c = tlsApp(port); PreparedStatement ps = c.prepareStatement("SELECT ?, REPEAT('y', ?)")) {
                for (int i = 0; !stop.get(); i++) {
                    ps.setInt(1, i);
                    ps.setInt(2, i % 70000);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getInt(1) != i || rs.getString(2).length() != i % 70000) {
                            throw new AssertionError("wrong row for " + i);
                        }
                    }
                    queries.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Random rnd = new Random(11);
        for (int round = 0; round < 5; round++) {
            // 1. SSL request, then garbage instead of a ClientHello.
            try (Socket s = greeted(port)) {
                sslRequest(s);
                byte[] junk = new byte[300];
                rnd.nextBytes(junk);
                s.getOutputStream().write(junk);
                assertClosedSoon(s);
            }
            // 2. SSL request, then close.
            try (Socket s = greeted(port)) {
                sslRequest(s);
            }
            // 3. SSL request, half a ClientHello, then close.
            try (Socket s = greeted(port)) {
                sslRequest(s);
                s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01});
            }
            // 4. A ClientHello without the SSL request.
            try (Socket s = greeted(port)) {
                s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00});
                assertClosedSoon(s);
            }
            // 5. A finished TLS handshake, then a garbage handshake response inside TLS: ERR 1043.
            try (Socket raw = greeted(port)) {
                sslRequest(raw);
                SSLSocket t = layer(raw, port);
                t.startHandshake();
                byte[] junk = new byte[40];
                rnd.nextBytes(junk);
                junk[1] &= ~0x02; // no CLIENT_PROTOCOL_41: not a handshake response the proxy can read
                t.getOutputStream().write(RawClient.framed(2, junk));
                byte[] reply = readAll(t.getInputStream());
                assertTrue(reply.length > 6 && (reply[4] & 0xff) == 0xff, "an ERR packet: " + HexFormat.of().formatHex(reply));
                assertEquals(1043, (reply[5] & 0xff) | (reply[6] & 0xff) << 8);
            }
            // 6. A finished TLS handshake, then close before the handshake response.
            try (Socket raw = greeted(port)) {
                sslRequest(raw);
                SSLSocket t = layer(raw, port);
                t.startHandshake();
                t.close();
            }
        }
        long before = queries.get();
        Thread.sleep(300);
        stop.set(true);
        healthy.join(30_000);
        assertNull(failure.get(), () -> "the healthy session failed: " + failure.get());
        assertTrue(queries.get() > before, "the healthy session kept running: " + queries.get());
        assertEquals(0, proxy.awaitSessions(0, Duration.ofSeconds(15)), "no session left behind");
    }

    private static Connection tlsApp(int port, String... more) throws SQLException {
        String[] opts = new String[more.length + 2];
        opts[0] = "sslMode=verify-full";
        opts[1] = "serverSslCert=" + certs.ca;
        System.arraycopy(more, 0, opts, 2, more.length);
        return Db.app(port, opts);
    }

    /** Connects and reads the proxy's greeting. */
    private static Socket greeted(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(TestProxy.HOST, port), 5000);
        s.setSoTimeout(15_000);
        InputStream in = s.getInputStream();
        byte[] h = in.readNBytes(4);
        int len = (h[0] & 0xff) | (h[1] & 0xff) << 8 | (h[2] & 0xff) << 16;
        byte[] greeting = in.readNBytes(len);
        assertEquals(len, greeting.length);
        return s;
    }

    /** The 32-byte SSL request (protocol 4.1, secure connection, SSL, plugin auth). */
    private static void sslRequest(Socket s) throws IOException {
        byte[] p = new byte[32];
        int caps = (1 << 9) | (1 << 15) | (1 << 11) | (1 << 19) | 1;
        p[0] = (byte) caps;
        p[1] = (byte) (caps >> 8);
        p[2] = (byte) (caps >> 16);
        p[4] = 0;
        p[5] = 0;
        p[6] = 0;
        p[7] = 1;
        p[8] = 45;
        OutputStream out = s.getOutputStream();
        out.write(RawClient.framed(1, p));
        out.flush();
    }

    private static SSLContext trustingOurCa() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = java.nio.file.Files.newInputStream(certs.ca)) {
            ks.setCertificateEntry("ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static SSLSocket layer(Socket raw, int port) throws Exception {
        SSLSocket t = (SSLSocket) trustingOurCa().getSocketFactory().createSocket(raw, TestProxy.HOST, port, true);
        t.setUseClientMode(true);
        return t;
    }

    private static SSLSocket tlsSocket(int port, String protocol) throws Exception {
        Socket raw = greeted(port);
        sslRequest(raw);
        SSLSocket t = layer(raw, port);
        t.setEnabledProtocols(new String[] {protocol});
        return t;
    }

    private static void assertClosedSoon(Socket s) throws IOException {
        byte[] rest = readAll(s.getInputStream());
        assertTrue(rest.length < 1000, "the proxy sent no more than an alert or an error: " + rest.length + " bytes");
    }

    /** Everything until the peer closes (a reset counts as closed); fails on a read timeout. */
    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the proxy did not close the connection", e);
        } catch (IOException e) {
            // reset by the proxy: closed
        }
        return out.toByteArray();
    }
}
