package io.loomscale.admin;

import io.loomscale.config.Json;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.loomscale.config.AdminConfig;
import io.loomscale.service.LoomScale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The REST admin interface's HTTP side: the JDK's built-in {@link HttpServer} (HTTPS when
 * {@code admin_ssl_key}/{@code admin_ssl_cert} are set) on {@code admin_host:admin_port}, one
 * virtual thread per request. It checks basic auth against {@link AdminUsers} (every path but
 * {@code /metrics}, which Prometheus scrapes without credentials, as MaxScale's exporter does),
 * hands the request to {@link AdminApi} and writes its JSON answer, or
 * {@code {"errors":[{"detail": ...}]}} with the status of the {@link ApiException}. A bug in a
 * handler is a 500 with its message and an ERROR in the log, never a dead listener.
 *
 * <p>Bodies are limited to {@link #MAX_BODY} bytes (413 beyond).
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    static final int MAX_BODY = 1 << 20;

    private final HttpServer http;
    private final ExecutorService executor;
    private final AdminApi api;
    private final AdminUsers users;

    private AdminServer(HttpServer http, ExecutorService executor, AdminApi api, AdminUsers users) {
        this.http = http;
        this.executor = executor;
        this.api = api;
        this.users = users;
    }

    /**
     * Starts the interface for {@code ls} as {@code [loomscale]} configures it.
     *
     * @param logs the log file to rotate and re-level, or null when the process logs elsewhere
     * @throws IOException when the address cannot be bound (the message names admin_host/admin_port)
     */
    public static AdminServer start(LoomScale ls, LogFile logs) throws IOException {
        AdminConfig cfg = ls.config().global().admin();
        // Without TCP_NODELAY the JDK server's header and body writes meet the client's delayed
        // ACK: about 40 ms per request. Read once, when the first server is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        AdminUsers users = new AdminUsers(ls.config().global().datadir().resolve("admin_users"));
        InetSocketAddress addr = new InetSocketAddress(cfg.host(), cfg.port());
        HttpServer http;
        try {
            if (cfg.tls()) {
                HttpsServer https = HttpsServer.create(addr, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(Pem.sslContext(cfg.sslKey(), cfg.sslCert(), cfg.sslCaCert())));
                http = https;
            } else {
                http = HttpServer.create(addr, 64);
            }
        } catch (IOException e) {
            throw new IOException(ls.config().file() + ": [loomscale] keys 'admin_host'/'admin_port': cannot listen on "
                    + cfg.host() + ":" + cfg.port() + ": " + e.getMessage()
                    + "; allowed: a free address and port, or admin_enabled = false", e);
        }
        ExecutorService ex = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("admin-", 0).factory());
        http.setExecutor(ex);
        String scheme = cfg.tls() ? "https" : "http";
        String base = scheme + "://" + cfg.host() + ":" + http.getAddress().getPort();
        ServerFlags.restore(ls, ls.config().global().datadir());
        AdminApi api = new AdminApi(ls, users, logs, base);
        AdminServer server = new AdminServer(http, ex, api, users);
        http.createContext("/", server::handle);
        http.start();
        log.info("Admin interface listening on {}", base);
        return server;
    }

    /** The port bound (the configured one, or the one chosen for {@code admin_port = 0}). */
    public int port() {
        return http.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getRawPath();
            if (!("GET".equals(method) && "/metrics".equals(path)) && !authorized(ex)) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"loomscale\"");
                send(ex, 401, AdminApi.errors("wrong or missing credentials: use HTTP basic auth with an admin user"));
                return;
            }
            Object reply;
            try {
                byte[] body = readBody(ex.getRequestBody());
                AdminApi.Request req = new AdminApi.Request(method, segments(path), query(ex.getRequestURI().getRawQuery()),
                        new String(body, StandardCharsets.UTF_8));
                reply = api.handle(req);
            } catch (ApiException e) {
                send(ex, e.status(), AdminApi.errors(e.getMessage()));
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                send(ex, 503, AdminApi.errors("interrupted: the proxy is stopping"));
                return;
            } catch (RuntimeException e) {
                log.error("admin: {} {} failed", method, path, e);
                send(ex, 500, AdminApi.errors("internal error: " + e));
                return;
            }
            if (reply == null) {
                ex.sendResponseHeaders(204, -1);
            } else if (reply instanceof AdminApi.Text t) {
                byte[] b = t.text().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", t.contentType());
                ex.sendResponseHeaders(200, b.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(b);
                }
            } else {
                send(ex, 200, reply);
            }
        } catch (IOException e) {
            log.debug("admin: client went away: {}", e.toString());
        }
    }

    private boolean authorized(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        return colon > 0 && users.check(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] b = in.readNBytes(MAX_BODY + 1);
        if (b.length > MAX_BODY) {
            throw new ApiException(413, "request body larger than " + MAX_BODY + " bytes");
        }
        return b;
    }

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Query parameters in order; a bare {@code ?a&b} (MaxScale's module-command arguments) has null values. */
    private static List<Map.Entry<String, String>> query(String raw) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? null : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.add(new java.util.AbstractMap.SimpleImmutableEntry<>(k, v));
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, Object json) throws IOException {
        byte[] b = Json.write(json).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        log.info("Admin interface stopped");
    }
}
