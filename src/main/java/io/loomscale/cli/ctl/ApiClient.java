package io.loomscale.cli.ctl;

import io.loomscale.config.Json;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;

/**
 * {@code loomscale ctl}'s side of the REST admin interface: one HTTP request per call with
 * basic auth, answers parsed with {@link Json}. A refusal (status 400 and up) becomes a
 * {@link CtlException} carrying the API's {@code errors[0].detail}, which ctl prints before
 * exiting with 1. Used from ctl's one thread.
 */
final class ApiClient {
    private final HttpClient http;
    private final String base;
    private final String auth;
    private final Duration timeout;

    ApiClient(String hostPort, boolean secure, Path caCert, String user, String password, Duration timeout) {
        this.timeout = timeout;
        this.base = (secure ? "https://" : "http://") + hostPort;
        this.auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (secure && caCert != null) {
            b.sslContext(trusting(caCert));
        }
        this.http = b.build();
    }

    private static SSLContext trusting(Path caCert) {
        try (InputStream in = Files.newInputStream(caCert)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new CtlException("cannot read --tls-ca-cert " + caCert + ": " + e.getMessage());
        }
    }

    Object get(String path) {
        return send("GET", path, null);
    }

    /** Sends a request; returns the parsed JSON answer, or null for an empty one (204). */
    Object send(String method, String path, Object body) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Authorization", auth);
        if (body == null) {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            rb.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.net.http.HttpTimeoutException e) {
            throw new CtlException("no answer from " + base + " within " + timeout.toSeconds() + " s (--timeout)");
        } catch (IOException e) {
            throw new CtlException("cannot reach the admin interface at " + base + ": " + e.getMessage()
                    + " (is the proxy running, and --host right?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted");
        }
        String text = resp.body();
        Object json = null;
        if (text != null && !text.isBlank()) {
            try {
                json = Json.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CtlException("the admin interface answered " + resp.statusCode() + " with something that is not JSON: "
                        + text.substring(0, Math.min(200, text.length())));
            }
        }
        if (resp.statusCode() >= 400) {
            Object detail = json instanceof java.util.Map<?, ?> ? firstError(json) : null;
            throw new CtlException(detail != null ? detail.toString() : "HTTP " + resp.statusCode());
        }
        return json;
    }

    private static Object firstError(Object json) {
        Object errors = Json.at(json, "errors");
        if (errors instanceof java.util.List<?> l && !l.isEmpty()) {
            return Json.at(l.get(0), "detail");
        }
        return null;
    }
}
