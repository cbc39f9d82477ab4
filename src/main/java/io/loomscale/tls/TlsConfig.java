package io.loomscale.tls;

import java.nio.file.Path;
import java.util.List;

/**
 * The TLS keys of a {@code [listener.NAME]} (the proxy is the TLS server) or a
 * {@code [server.NAME]} table (the proxy is the TLS client), named as in MaxScale.
 *
 * @param enabled               {@code ssl}: true (or MaxScale 2.1's {@code "required"}) to use TLS
 * @param cert                  {@code ssl_cert}: PEM certificate chain; required on a listener,
 *                              optional on a server (a client certificate)
 * @param key                   {@code ssl_key}: PEM private key of {@code cert} (PKCS#8 or PKCS#1 RSA)
 * @param caCert                {@code ssl_ca_cert}: PEM certificates trusted to sign the peer's
 *                              certificate, or null (a server then checks against the JDK's trust store)
 * @param version               {@code ssl_version}: {@code MAX} (TLS 1.2 and 1.3), {@code TLSv12} or {@code TLSv13}
 * @param ciphers               {@code ssl_cipher}: cipher suites (JDK/IANA names), empty = the JDK's defaults
 * @param verifyPeerCertificate {@code ssl_verify_peer_certificate}: a listener demands a client
 *                              certificate signed by {@code caCert}; towards a server, its certificate
 *                              must be trusted
 * @param verifyPeerHost        {@code ssl_verify_peer_host} (servers only): the server's certificate
 *                              must name its address
 */
public record TlsConfig(boolean enabled, Path cert, Path key, Path caCert, String version, List<String> ciphers,
        boolean verifyPeerCertificate, boolean verifyPeerHost) {

    /** ssl_version values. */
    public static final List<String> VERSIONS = List.of("MAX", "TLSv12", "TLSv13");

    /** No TLS. */
    public static final TlsConfig DISABLED = new TlsConfig(false, null, null, null, "MAX", List.of(), false, false);

    public TlsConfig {
        ciphers = List.copyOf(ciphers);
    }

    /** The JDK protocol names {@link #version} allows. */
    public String[] protocols() {
        return switch (version) {
            case "TLSv12" -> new String[] {"TLSv1.2"};
            case "TLSv13" -> new String[] {"TLSv1.3"};
            default -> new String[] {"TLSv1.3", "TLSv1.2"};
        };
    }
}
