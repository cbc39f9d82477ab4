package io.loomscale.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made with {@code openssl} at test time under {@code target/it-tls}: a CA, a
 * proxy certificate for 127.0.0.1 signed by it, a client certificate signed by it, and a second
 * ("rogue") CA with its own client certificate, which the proxy must refuse. Made once per JVM.
 */
final class TestCerts {
    private static TestCerts instance;

    final Path dir;
    final Path ca;
    final Path serverCert;
    final Path serverKey;
    final Path clientCert;
    final Path clientKey;
    final Path rogueCa;
    final Path rogueClientCert;
    final Path rogueClientKey;

    private TestCerts(Path dir) {
        this.dir = dir;
        this.ca = dir.resolve("ca.pem");
        this.serverCert = dir.resolve("proxy-cert.pem");
        this.serverKey = dir.resolve("proxy-key.pem");
        this.clientCert = dir.resolve("client-cert.pem");
        this.clientKey = dir.resolve("client-key.pem");
        this.rogueCa = dir.resolve("rogue-ca.pem");
        this.rogueClientCert = dir.resolve("rogue-client-cert.pem");
        this.rogueClientKey = dir.resolve("rogue-client-key.pem");
    }

    static synchronized TestCerts get() {
        if (instance == null) {
            TestCerts c = new TestCerts(TestProxy.projectDir().resolve("target/it-tls"));
            c.make();
            instance = c;
        }
        return instance;
    }

    private void make() {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
            ca("ca", "LoomScale IT CA");
            ca("rogue-ca", "Rogue CA");
            signed("proxy", "127.0.0.1", "ca", true);
            signed("client", "loomscale-it-client", "ca", false);
            signed("rogue-client", "rogue-client", "rogue-ca", false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void ca(String name, String cn) {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=" + cn,
                "-keyout", name + "-key.pem", "-out", name + ".pem");
    }

    private void signed(String name, String cn, String caName, boolean san) {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn, "-keyout", name + "-key.pem",
                "-out", name + ".csr");
        List<String> args = new ArrayList<>(List.of("x509", "-req", "-in", name + ".csr", "-CA", caName + ".pem",
                "-CAkey", caName + "-key.pem", "-CAcreateserial", "-days", "30", "-out", name + "-cert.pem"));
        if (san) {
            args.addAll(List.of("-extfile", "san.ext"));
        }
        openssl(args.toArray(String[]::new));
    }

    private void openssl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
