package io.loomscale.admin;

import io.loomscale.cli.Main;
import io.loomscale.config.ConfigException;
import io.loomscale.config.ConfigLoader;
import io.loomscale.testing.TestCluster;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code admin_ssl_key}/{@code admin_ssl_cert}: the admin interface speaks HTTPS with a PEM key
 * pair made by openssl, {@code ctl --secure --tls-ca-cert} talks to it, and plain HTTP does not.
 */
class AdminTlsIT {
    @Test
    void httpsWithAPemKeyPair() throws Exception {
        Path dir = AdminFixture.projectDir().resolve("target/it/admin-tls");
        AdminFixture.wipe(dir);
        Files.createDirectories(dir.resolve("data"));
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String toml = AdminFixture.config(dir, TestCluster.get()).replace("admin_port = 0\n",
                "admin_port = 0\nadmin_ssl_key = \"" + dir.resolve("key.pem") + "\"\nadmin_ssl_cert = \""
                        + dir.resolve("cert.pem") + "\"\n");
        try (AdminFixture fx = AdminFixture.start(dir, toml, false)) {
            StringWriter sw = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(new Main());
            cl.setOut(new PrintWriter(sw, true));
            cl.setErr(new PrintWriter(err, true));
            int exit = cl.execute("ctl", "--host", "127.0.0.1:" + fx.admin.port(), "--secure", "--tls-ca-cert",
                    dir.resolve("cert.pem").toString(), "list", "servers", "--tsv");
            assertEquals(0, exit, err.toString());
            assertTrue(sw.toString().startsWith("server1\t"), sw.toString());
            // Plain HTTP to the TLS port gets no API answer.
            assertThrows(Exception.class, () -> {
                AdminFixture.Reply r = fx.call("GET", "/v1/servers", null);
                if (r.status() == 200) {
                    throw new AssertionError("plain HTTP answered");
                }
                throw new Exception("refused with " + r.status());
            });
            // Without trusting the certificate, ctl refuses the server.
            StringWriter err2 = new StringWriter();
            CommandLine cl2 = new CommandLine(new Main());
            cl2.setErr(new PrintWriter(err2, true));
            assertEquals(1, cl2.execute("ctl", "--host", "127.0.0.1:" + fx.admin.port(), "--secure", "list", "servers"));
            assertTrue(err2.toString().contains("cannot reach the admin interface"), err2.toString());
        }
    }

    @Test
    void keyWithoutCertificateIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "[loomscale]\nadmin_ssl_key = \"/x/key.pem\"\n", "t.toml"));
        assertTrue(e.getMessage().contains("admin_ssl_key and admin_ssl_cert go together"), e.getMessage());
        ConfigException port = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "[loomscale]\nadmin_port = 70000\n", "t.toml"));
        assertTrue(port.getMessage().contains("admin_port"), port.getMessage());
    }
}
