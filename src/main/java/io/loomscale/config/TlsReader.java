package io.loomscale.config;

import io.loomscale.tls.TlsConfig;
import io.loomscale.tls.TlsContext;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the {@code ssl*} keys of a listener or server table into a {@link TlsConfig}. Files must
 * exist and be readable, and their contents (PEM certificates and keys that fit) are checked here
 * by building the {@link TlsContext}, so a bad file is an error naming its key at load time.
 *
 * <p>Stateless; used on the loading thread.
 */
final class TlsReader {

    private TlsReader() {
    }

    /** {@code listener}: the proxy is the TLS server (a certificate and key are required). */
    static TlsConfig read(Section s, boolean listener) {
        boolean enabled = ssl(s);
        Path cert = file(s, "ssl_cert", enabled);
        Path key = file(s, "ssl_key", enabled);
        Path ca = file(s, "ssl_ca_cert", enabled);
        String version = s.oneOf("ssl_version", "MAX", TlsConfig.VERSIONS);
        List<String> ciphers = ciphers(s);
        boolean verifyCert = s.bool("ssl_verify_peer_certificate", false);
        boolean verifyHost = !listener && s.bool("ssl_verify_peer_host", false);
        if (!enabled) {
            return TlsConfig.DISABLED;
        }
        if (listener && cert == null) {
            throw s.origin().missing("ssl_cert", "a PEM certificate file (ssl = true needs ssl_cert and ssl_key)");
        }
        if ((cert == null) != (key == null)) {
            String missing = cert == null ? "ssl_cert" : "ssl_key";
            throw s.origin().missing(missing, "a PEM file: ssl_cert and ssl_key go together");
        }
        if (listener && verifyCert && ca == null) {
            throw s.origin().missing("ssl_ca_cert",
                    "a PEM file of the CA that signs client certificates (ssl_verify_peer_certificate = true needs it)");
        }
        TlsConfig c = new TlsConfig(true, cert, key, ca, version, ciphers, verifyCert, verifyHost);
        try {
            if (listener) {
                TlsContext.forListener(c);
            } else {
                TlsContext.forServer(c);
            }
        } catch (TlsContext.TlsSetupException e) {
            throw s.origin().error(e.key(), e.getMessage(), e.allowed());
        }
        return c;
    }

    /** {@code ssl}: a boolean, or MaxScale 2.1's {@code "required"} / {@code "disabled"}. */
    private static boolean ssl(Section s) {
        Object v = s.value("ssl");
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String str) {
            switch (str.toLowerCase(Locale.ROOT)) {
                case "required", "true", "enabled" -> {
                    return true;
                }
                case "disabled", "false" -> {
                    return false;
                }
                default -> {
                    // fall through to the error
                }
            }
        }
        throw s.origin().error("ssl", "expected a boolean, got " + Values.describe(v), "true, false, \"required\", \"disabled\"");
    }

    /** A PEM file path; it must be readable when TLS is on (without TLS, MaxScale ignores them too). */
    private static Path file(Section s, String key, boolean mustExist) {
        String v = s.string(key, null);
        if (v == null) {
            return null;
        }
        Path p;
        try {
            p = Path.of(v);
        } catch (InvalidPathException e) {
            throw s.origin().error(key, "invalid path: " + e.getReason(), "a PEM file");
        }
        if (mustExist && (!Files.isRegularFile(p) || !Files.isReadable(p))) {
            throw s.origin().error(key, "cannot read file '" + v + "'", "a readable PEM file");
        }
        return p;
    }

    /** {@code ssl_cipher}: suite names separated by ':' or ',' (or a TOML list). */
    private static List<String> ciphers(Section s) {
        Object v = s.value("ssl_cipher");
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (v instanceof List<?>) {
            out.addAll(Values.stringList(s.origin(), "ssl_cipher", v));
        } else {
            for (String c : Values.string(s.origin(), "ssl_cipher", v).split("[:,]")) {
                if (!c.isBlank()) {
                    out.add(c.trim());
                }
            }
        }
        if (out.isEmpty()) {
            throw s.origin().error("ssl_cipher", "no cipher suite given", "cipher suite names, e.g. \"TLS_AES_128_GCM_SHA256\"");
        }
        return out;
    }
}
