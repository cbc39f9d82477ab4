package io.loomscale.tls;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TLS setup of one listener (the proxy as TLS server) or one backend server (the proxy as TLS
 * client), built once from its {@link TlsConfig}: an {@link SSLContext} with the PEM certificate,
 * key and CA, and the protocol versions and cipher suites every new engine gets. Immutable and
 * shared by all connections of that listener or server.
 *
 * <p>Errors while building name the config key ({@link TlsSetupException}); the config loader
 * builds each context once to check the files, so {@code loomscale check} reports them.
 */
public final class TlsContext {
    private static final Map<TlsConfig, TlsContext> CLIENTS = new ConcurrentHashMap<>();

    private final TlsConfig config;
    private final SSLContext context;
    private final boolean server;

    private TlsContext(TlsConfig config, SSLContext context, boolean server) {
        this.config = config;
        this.context = context;
        this.server = server;
    }

    /** A listener's context. */
    public static TlsContext forListener(TlsConfig c) {
        KeyManager[] km = keyManagers(c);
        TrustManager[] checked = c.caCert() != null ? trustManagers(c) : null; // a bad file is an error even unused
        TrustManager[] tm = c.verifyPeerCertificate() ? checked : null;
        return build(c, km, tm, true);
    }

    /**
     * A backend server's context (the proxy is the client), cached per configuration so sessions,
     * the monitor and the account loader share one; null when {@code c} is not enabled.
     */
    public static TlsContext forServer(TlsConfig c) {
        if (!c.enabled()) {
            return null;
        }
        TlsContext t = CLIENTS.get(c);
        if (t == null) {
            KeyManager[] km = c.cert() != null ? keyManagers(c) : null;
            TrustManager[] checked = c.caCert() != null || c.verifyPeerCertificate() ? trustManagers(c) : null;
            TrustManager[] tm = c.verifyPeerCertificate() ? checked : new TrustManager[] {TRUST_ALL};
            t = build(c, km, tm, false);
            CLIENTS.putIfAbsent(c, t);
        }
        return t;
    }

    private static TlsContext build(TlsConfig c, KeyManager[] km, TrustManager[] tm, boolean server) {
        SSLContext ctx;
        try {
            ctx = SSLContext.getInstance("TLS");
            ctx.init(km, tm, null);
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException("ssl", "cannot set up TLS: " + e.getMessage(), null, e);
        }
        TlsContext t = new TlsContext(c, ctx, server);
        SSLEngine probe = ctx.createSSLEngine();
        List<String> supported = Arrays.asList(probe.getSupportedCipherSuites());
        for (String cipher : c.ciphers()) {
            if (!supported.contains(cipher)) {
                throw new TlsSetupException("ssl_cipher", "unknown cipher suite '" + cipher + "'",
                        "cipher suite names as the JDK (IANA) spells them, e.g. TLS_AES_128_GCM_SHA256,"
                                + " TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", null);
            }
        }
        return t;
    }

    public boolean isServer() {
        return server;
    }

    public TlsConfig config() {
        return config;
    }

    /** A new engine for one connection; {@code host}/{@code port} identify the peer (client side). */
    public TlsEngine newEngine(String host, int port) {
        SSLEngine e = host == null ? context.createSSLEngine() : context.createSSLEngine(host, port);
        e.setUseClientMode(!server);
        SSLParameters p = parameters(e.getSSLParameters());
        e.setSSLParameters(p);
        return new TlsEngine(e);
    }

    /** Client side, for blocking housekeeping connections: layers TLS over a connected socket and shakes hands. */
    public SSLSocket wrap(Socket plain, String host, int port) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        s.setUseClientMode(true);
        s.setSSLParameters(parameters(s.getSSLParameters()));
        s.startHandshake();
        return s;
    }

    private SSLParameters parameters(SSLParameters p) {
        p.setProtocols(config.protocols());
        if (!config.ciphers().isEmpty()) {
            p.setCipherSuites(config.ciphers().toArray(String[]::new));
        }
        if (server) {
            p.setNeedClientAuth(config.verifyPeerCertificate());
        } else if (config.verifyPeerHost()) {
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host (DNS or IP SAN)
        }
        return p;
    }

    private static KeyManager[] keyManagers(TlsConfig c) {
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(c.cert());
        } catch (IOException | IllegalArgumentException e) {
            throw new TlsSetupException("ssl_cert", e.getMessage(), "a PEM certificate file", e);
        }
        PrivateKey key;
        try {
            key = Pem.privateKey(c.key());
        } catch (IOException | IllegalArgumentException e) {
            throw new TlsSetupException("ssl_key", e.getMessage(), "a PEM private key file", e);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", key, new char[0], chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsSetupException("ssl_key", "the key does not fit the certificate in ssl_cert: "
                    + e.getMessage(), "the private key of ssl_cert", e);
        }
    }

    private static TrustManager[] trustManagers(TlsConfig c) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (c.caCert() == null) {
                tmf.init((KeyStore) null); // the JDK's trust store
            } else {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                int i = 0;
                for (X509Certificate ca : Pem.certificates(c.caCert())) {
                    ks.setCertificateEntry("ca" + i++, ca);
                }
                tmf.init(ks);
            }
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw new TlsSetupException("ssl_ca_cert", e.getMessage(), "a PEM file of CA certificates", e);
        }
    }

    /** ssl_verify_peer_certificate = false towards a server: encrypt, but accept any certificate (MaxScale's default). */
    private static final X509ExtendedTrustManager TRUST_ALL = new X509ExtendedTrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    /** A TLS setting that cannot be used: the key, what is wrong and what would do. */
    public static final class TlsSetupException extends RuntimeException {
        private final String key;
        private final String allowed;

        TlsSetupException(String key, String problem, String allowed, Throwable cause) {
            super(problem, cause);
            this.key = key;
            this.allowed = allowed;
        }

        public String key() {
            return key;
        }

        public String allowed() {
            return allowed;
        }
    }
}
