package io.loomscale.admin;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads the admin interface's TLS material from PEM files ({@code admin_ssl_key} as an
 * unencrypted PKCS#8 {@code PRIVATE KEY}, RSA or EC; {@code admin_ssl_cert} and
 * {@code admin_ssl_ca_cert} as {@code CERTIFICATE} blocks) into a server {@link SSLContext}.
 * Errors name the file and what is allowed.
 */
final class Pem {
    private Pem() {
    }

    static SSLContext sslContext(Path keyFile, Path certFile, Path caFile) throws IOException {
        try {
            PrivateKey key = privateKey(keyFile);
            List<Certificate> chain = new ArrayList<>(certificates(certFile));
            if (caFile != null) {
                chain.addAll(certificates(caFile));
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("admin", key, pw, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("admin_ssl_key " + keyFile + " / admin_ssl_cert " + certFile
                    + " do not make a TLS key pair: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        byte[] der = block(file, "PRIVATE KEY");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException("admin_ssl_key " + file + ": not an RSA, EC or Ed25519 PKCS#8 key");
    }

    private static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IOException(file + ": no '-----BEGIN CERTIFICATE-----' block; allowed: PEM certificates");
        }
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        return new ArrayList<>(cf.generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII))));
    }

    private static byte[] block(Path file, String label) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IOException(file + ": no '" + begin + "' block; allowed: an unencrypted PKCS#8 key "
                    + "(convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        String b64 = text.substring(b + begin.length(), e).replaceAll("\\s", "");
        return Base64.getDecoder().decode(b64);
    }
}
