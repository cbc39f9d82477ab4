package io.loomscale.it;

import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Accounts with other authentication plugins than mysql_native_password, with the real server
 * plugins: {@code ed25519} (auth_ed25519) and a PAM-style account whose password only the server
 * can check in clear text ({@code cleartext_plugin_server} from auth_test_plugin, which asks the
 * client for mysql_clear_password like PAM with pam_use_cleartext_plugin). Over TLS the proxy
 * asks the client for the clear password, checks it (ed25519: against the stored public key) or
 * passes it through (PAM style), and logs in to the server (ed25519: signing the server's nonce).
 * Without TLS, ed25519 clients are checked with client_ed25519 signatures.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AuthPluginsIT {
    private static final String ED = "it_auth_ed";
    private static final String ED_PW = "ed_pw_1";
    private static final String PAM = "it_auth_pam";
    private static final String PAM_PW = "pam_pw_1";

    private static TestCluster cluster;
    private static TestCerts certs;
    private static TestProxy proxy;

    @BeforeAll
    static void setUp() throws Exception {
        cluster = TestCluster.get();
        certs = TestCerts.get();
        for (int port : new int[] {cluster.replicaPorts().get(0), cluster.replicaPorts().get(1), cluster.primaryPort()}) {
            for (String lib : new String[] {"auth_ed25519", "auth_test_plugin"}) {
                try {
                    cluster.rootSql(port, "INSTALL SONAME '" + lib + "'");
                } catch (RuntimeException e) {
                    if (!String.valueOf(e.getCause()).contains("already installed")
                            && !String.valueOf(e.getMessage()).contains("already installed")) {
                        throw e;
                    }
                }
            }
        }
        Db.rootOnPrimary("CREATE OR REPLACE USER '" + ED + "'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('" + ED_PW + "')",
                "GRANT ALL ON test.* TO '" + ED + "'@'%'",
                "CREATE OR REPLACE USER '" + PAM + "'@'%' IDENTIFIED VIA cleartext_plugin_server AS '" + PAM_PW + "'",
                "GRANT ALL ON test.* TO '" + PAM + "'@'%'");
        cluster.waitForReplication();
        String creds = TestCluster.serviceCredentialsToml();
        String toml = TestProxy.clusterServers(cluster)
                + "[service.rcr]\nrouter = \"readconnroute\"\nservers = [\"server1\"]\n" + creds + "\n"
                + TestProxy.listener("plain", "rcr", TestProxy.freePort())
                + TestProxy.listener("tls", "rcr", TestProxy.freePort()).trim() + "\nssl = true\nssl_cert = \""
                + certs.serverCert + "\"\nssl_key = \"" + certs.serverKey + "\"\n\n";
        proxy = TestProxy.start("auth-plugins", toml);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        Db.rootOnPrimary("DROP USER IF EXISTS '" + ED + "'@'%'", "DROP USER IF EXISTS '" + PAM + "'@'%'");
    }

    private static MariadbCliIT.Run cli(String listener, String user, String pw, String... args) throws Exception {
        String[] all = new String[args.length + 3];
        all[0] = "-N";
        all[1] = "-B";
        all[2] = "test";
        System.arraycopy(args, 0, all, 3, args.length);
        if (listener.equals("tls")) {
            String[] tls = new String[all.length + 3];
            tls[0] = "--ssl";
            tls[1] = "--ssl-ca=" + certs.ca;
            tls[2] = "--ssl-verify-server-cert";
            System.arraycopy(all, 0, tls, 3, all.length);
            all = tls;
        }
        return MariadbCliIT.mariadb(proxy.port(listener), user, pw, all);
    }

    private static Connection jdbc(String listener, String user, String pw) throws SQLException {
        return listener.equals("tls")
                ? Db.connect(proxy.port("tls"), "test", user, pw, "sslMode=verify-full", "serverSslCert=" + certs.ca)
                : Db.connect(proxy.port("plain"), "test", user, pw);
    }

    @Test
    void ed25519AccountLogsInOverTlsAndTheServerSeesIt() throws Exception {
        MariadbCliIT.Run r = cli("tls", ED, ED_PW, "-e", "select current_user()");
        assertEquals(new MariadbCliIT.Run(0, ED + "@%\n", ""), r);
        try (Connection c = jdbc("tls", ED, ED_PW)) {
            assertEquals(ED + "@%", Db.scalar(c, "SELECT CURRENT_USER()"));
        }
    }

    @Test
    void ed25519WrongPasswordGetsTheServersError() throws Exception {
        MariadbCliIT.Run direct = MariadbCliIT.mariadb(cluster.primaryPort(), ED, "nope", "test", "-e", "select 1");
        MariadbCliIT.Run tls = cli("tls", ED, "nope", "-e", "select 1");
        MariadbCliIT.Run plain = cli("plain", ED, "nope", "-e", "select 1");
        String expected = "ERROR 1045 (28000): Access denied for user '" + ED + "'@'127.0.0.1' (using password: YES)\n";
        assertEquals(new MariadbCliIT.Run(1, "", expected), direct, "the server's own answer (premise)");
        assertEquals(direct, tls);
        assertEquals(direct, plain);
        SQLException e = assertThrows(SQLException.class, () -> jdbc("plain", ED, "nope").close());
        assertEquals(1045, e.getErrorCode());
    }

    @Test
    void ed25519SignatureIsCheckedWithoutTlsButTheServerLoginNeedsThePassword() throws Exception {
        // The signature passes the proxy's check (not 1045); the proxy then cannot answer the
        // server's ed25519 challenge without the password and says so.
        MariadbCliIT.Run r = cli("plain", ED, ED_PW, "-e", "select 1");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("connect over TLS"), r.err());
        assertTrue(!r.err().contains("1045"), r.err());
    }

    @Test
    void pamStyleAccountPassesItsPasswordThroughOverTls() throws Exception {
        MariadbCliIT.Run ok = cli("tls", PAM, PAM_PW, "-e", "select current_user()");
        assertEquals(new MariadbCliIT.Run(0, PAM + "@%\n", ""), ok);
        try (Connection c = jdbc("tls", PAM, PAM_PW)) {
            assertEquals(PAM + "@%", Db.scalar(c, "SELECT CURRENT_USER()"));
        }
        MariadbCliIT.Run wrong = cli("tls", PAM, "nope", "-e", "select 1");
        assertEquals(new MariadbCliIT.Run(1, "",
                "ERROR 1045 (28000): Access denied for user '" + PAM + "'@'127.0.0.1' (using password: YES)\n"), wrong);
    }

    @Test
    void pamStyleAccountWithoutTlsGetsAClearError() throws Exception {
        MariadbCliIT.Run r = cli("plain", PAM, PAM_PW, "-e", "select 1");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("ERROR 1251 (08004): Client does not support authentication protocol requested"
                + " by server; account '" + PAM + "'@'127.0.0.1' uses authentication plugin 'cleartext_plugin_server';"
                + " its password can only be passed to the servers in clear text, which the proxy does over TLS only"),
                r.err());
        assertEquals(0, proxy.awaitSessions(0, Duration.ofSeconds(10)));
    }

    private static javax.net.ssl.SSLContext trustingTheTestCa() throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(certs.ca)) {
            ks.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static String currentUser(RawClient c) throws Exception {
        return c.query("SELECT CURRENT_USER()").rows().get(0).get(0);
    }

    /** COM_CHANGE_USER to ed25519 and PAM-style accounts runs the same exchanges as a login. */
    @Test
    void changeUserToOtherPluginsOverTls() throws Exception {
        try (RawClient c = RawClient.connect(TestProxy.HOST, proxy.port("tls"), Duration.ofSeconds(10))) {
            c.readHandshake();
            c.startTls(trustingTheTestCa());
            assertTrue(c.authenticate(Db.APP, Db.APP_PW, "test").isOk());
            RawClient.Packet ed = c.changeUser(ED, ED_PW, "test");
            assertTrue(ed.isOk(), () -> "change to the ed25519 account: " + ed.err());
            assertEquals(ED + "@%", currentUser(c));
            RawClient.Packet wrong = c.changeUser(PAM, "nope", "test");
            assertEquals(1045, wrong.err().code(), "the server refuses the PAM-style password");
            assertEquals(ED + "@%", currentUser(c), "and the session keeps its user, as on MariaDB");
            RawClient.Packet pam = c.changeUser(PAM, PAM_PW, "test");
            assertTrue(pam.isOk(), () -> "change to the PAM-style account: " + pam.err());
            assertEquals(PAM + "@%", currentUser(c));
        }
    }

    @Test
    void changeUserToEd25519WithoutTlsIsCheckedAndThenRefusedClearly() throws Exception {
        try (RawClient c = RawClient.login(proxy.port("plain"), Db.APP, Db.APP_PW, "test")) {
            RawClient.Packet wrong = c.changeUser(ED, "nope", "test");
            assertEquals(1045, wrong.err().code(), "a wrong signature: " + wrong.err());
            RawClient.Packet right = c.changeUser(ED, ED_PW, "test");
            assertTrue(right.isErr());
            assertEquals(1251, right.err().code(), right.err().toString());
            assertTrue(right.err().message().contains("connect over TLS"), right.err().message());
            assertEquals(Db.APP + "@%", currentUser(c), "the session keeps its user");
        }
    }
}
