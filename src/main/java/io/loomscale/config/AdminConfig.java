package io.loomscale.config;

import java.nio.file.Path;

/**
 * The REST admin interface's part of {@code [loomscale]} (MaxScale 2.2's names and defaults):
 * where it listens and whether it uses TLS. The admin users are not here: they live hashed in
 * {@code datadir} and change through the API.
 *
 * @param enabled  {@code admin_enabled}: false starts no HTTP listener
 * @param host     {@code admin_host}, default 127.0.0.1
 * @param port     {@code admin_port}, default 8989 (0 = any free port, for tests)
 * @param sslKey   {@code admin_ssl_key}: PEM private key (PKCS#8), null without TLS
 * @param sslCert  {@code admin_ssl_cert}: PEM certificate chain, null without TLS
 * @param sslCaCert {@code admin_ssl_ca_cert}: PEM CA certificate added to the chain, or null
 */
public record AdminConfig(boolean enabled, String host, int port, Path sslKey, Path sslCert, Path sslCaCert) {

    public static AdminConfig defaults() {
        return new AdminConfig(true, "127.0.0.1", 8989, null, null, null);
    }

    public boolean tls() {
        return sslKey != null;
    }
}
