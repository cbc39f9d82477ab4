package io.loomscale.tls;

import io.loomscale.config.TlsConfig;

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
 * <p>Errors while building name the config table and key ({@link TlsSetupException}).
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

    /** A listener's context; {@code where} names its table, e.g. {@code "conf.toml: [listener.x]"}. */
    public static TlsContext forListener(TlsConfig c, String where) {
        KeyManager[] km = keyManagers(c, where);
        TrustManager[] tm = c.verifyPeerCertificate() ? trustManagers(c, where) : null;
        return build(c, km, tm, true, where);
    }

    /**
     * A backend server's context (the proxy is the client), cached per configuration so sessions,
     * the monitor and the account loader share one. {@code where} names the server's table.
     */
    public static TlsContext forServer(TlsConfig c, String where) {
        TlsContext t = CLIENTS.get(c);
        if (t == null) {
            KeyManager[] km = c.cert() != null ? keyManagers(c, where) : null;
            TrustManager[] tm = c.verifyPeerCertificate() ? trustManagers(c, where) : new TrustManager[] {TRUST_ALL};
            t = build(c, km, tm, false, where);
            CLIENTS.putIfAbsent(c, t);
        }
        return t;
    }

    private static TlsContext build(TlsConfig c, KeyManager[] km, TrustManager[] tm, boolean server, String where) {
        SSLContext ctx;
        try {
            ctx = SSLContext.getInstance("TLS");
            ctx.init(km, tm, null);
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException(where + ": cannot set up TLS: " + e.getMessage(), e);
        }
        TlsContext t = new TlsContext(c, ctx, server);
        SSLEngine probe = ctx.createSSLEngine();
        List<String> supported = Arrays.asList(probe.getSupportedCipherSuites());
        for (String cipher : c.ciphers()) {
            if (!supported.contains(cipher)) {
                throw new TlsSetupException(where + " key 'ssl_cipher': unknown cipher suite '" + cipher
                        + "'; allowed: JDK cipher suite names such as " + String.join(", ",
                        supported.subList(0, Math.min(6, supported.size()))));
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

    private static KeyManager[] keyManagers(TlsConfig c, String where) {
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(c.cert());
        } catch (IOException | IllegalArgumentException e) {
            throw new TlsSetupException(where + " key 'ssl_cert': " + e.getMessage(), e);
        }
        PrivateKey key;
        try {
            key = Pem.privateKey(c.key());
        } catch (IOException | IllegalArgumentException e) {
            throw new TlsSetupException(where + " key 'ssl_key': " + e.getMessage(), e);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", key, new char[0], chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsSetupException(where + " key 'ssl_key': the key does not fit the certificate in ssl_cert: "
                    + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(TlsConfig c, String where) {
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
            throw new TlsSetupException(where + " key 'ssl_ca_cert': " + e.getMessage(), e);
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

    /** A TLS setting that cannot be used; the message names the table and key. */
    public static final class TlsSetupException extends RuntimeException {
        TlsSetupException(String message, Throwable cause) {
            super(message, cause);
        }

        TlsSetupException(String message) {
            super(message);
        }
    }
}
