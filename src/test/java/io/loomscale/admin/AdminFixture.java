package io.loomscale.admin;

import io.loomscale.config.Json;
import io.loomscale.config.ConfigLoader;
import io.loomscale.config.LoomScaleConfig;
import io.loomscale.module.Modules;
import io.loomscale.service.LoomScale;
import io.loomscale.testing.TestCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A proxy over {@link TestCluster} with its REST admin interface, for the admin integration
 * tests: servers server1 (primary), server2, server3 watched by monitor {@code cluster1};
 * service {@code rws} (readwritesplit on the monitor's servers, with the {@code hints} filter)
 * and service {@code reads} (readconnroute, router_options slave, servers server2 and server3
 * listed), each with a listener on a free loopback port; the admin interface on a free port.
 * Its files go under {@code target/it/NAME} (wiped first). The caller closes it.
 */
final class AdminFixture implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final String ADMIN = "admin";
    static final String ADMIN_PW = "mariadb";

    final Path dir;
    final String toml;
    final LoomScale proxy;
    final AdminServer admin;
    final HttpClient http = HttpClient.newHttpClient();

    private AdminFixture(Path dir, String toml, LoomScale proxy, AdminServer admin) {
        this.dir = dir;
        this.toml = toml;
        this.proxy = proxy;
        this.admin = admin;
    }

    static AdminFixture start(String name) throws Exception {
        Path dir = projectDir().resolve("target/it").resolve(name);
        wipe(dir);
        Files.createDirectories(dir.resolve("data"));
        return start(dir, config(dir, TestCluster.get()), false);
    }

    /** Starts a proxy from {@code toml}; {@code persisted}: apply datadir's runtime file as a restart does. */
    static AdminFixture start(Path dir, String toml, boolean persisted) throws Exception {
        LoomScaleConfig cfg = ConfigLoader.parse(toml, dir.resolve("it.toml").toString());
        if (persisted) {
            cfg = RuntimeConfig.withPersisted(cfg);
        }
        LoomScale ls = LoomScale.build(cfg, Modules.load(cfg.global().libdir()));
        ls.start();
        try {
            return new AdminFixture(dir, toml, ls, AdminServer.start(ls, null));
        } catch (IOException | RuntimeException e) {
            ls.stop(Duration.ZERO);
            throw e;
        }
    }

    static String config(Path dir, TestCluster c) {
        String creds = TestCluster.serviceCredentialsToml();
        StringBuilder sb = new StringBuilder();
        sb.append("[loomscale]\nthreads = 1\nlogdir = \"").append(dir.resolve("log")).append("\"\ndatadir = \"")
                .append(dir.resolve("data")).append("\"\nlibdir = \"").append(dir.resolve("lib"))
                .append("\"\nadmin_host = \"127.0.0.1\"\nadmin_port = 0\n\n");
        for (int i = 0; i < 3; i++) {
            sb.append("[server.server").append(i + 1).append("]\naddress = \"").append(c.host()).append("\"\nport = ")
                    .append(c.ports().get(i)).append("\n\n");
        }
        sb.append("[monitor.cluster1]\nmodule = \"mariadbmon\"\nservers = [\"server1\", \"server2\", \"server3\"]\n")
                .append(creds).append("monitor_interval = \"300ms\"\n\n");
        sb.append("[filter.hints]\nmodule = \"hintfilter\"\n\n");
        sb.append("[service.rws]\nrouter = \"readwritesplit\"\ncluster = \"cluster1\"\nfilters = [\"hints\"]\n")
                .append(creds).append('\n');
        sb.append("[service.reads]\nrouter = \"readconnroute\"\nrouter_options = \"slave\"\n")
                .append("servers = [\"server2\", \"server3\"]\n").append(creds).append('\n');
        sb.append("[listener.rws]\nservice = \"rws\"\naddress = \"127.0.0.1\"\nport = ").append(freePort()).append("\n\n");
        sb.append("[listener.reads]\nservice = \"reads\"\naddress = \"127.0.0.1\"\nport = ").append(freePort()).append("\n\n");
        return sb.toString();
    }

    int port(String listener) {
        return proxy.listeners().get(listener).port();
    }

    String base() {
        return "http://" + HOST + ":" + admin.port();
    }

    record Reply(int status, String body, java.net.http.HttpHeaders headers) {
        Object json() {
            return Json.parse(body);
        }
    }

    Reply call(String method, String path, String body) {
        return call(method, path, body, ADMIN, ADMIN_PW);
    }

    Reply call(String method, String path, String body, String user, String password) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Object get(String path) {
        Reply r = call("GET", path, null);
        if (r.status() != 200) {
            throw new AssertionError("GET " + path + " -> " + r.status() + " " + r.body());
        }
        return r.json();
    }

    static Connection app(int port) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://" + HOST + ":" + port + "/test?user=" + TestCluster.APP_USER
                + "&password=" + TestCluster.APP_PASSWORD + "&socketTimeout=30000");
    }

    static String scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Polls until {@code check} holds or 10 s pass; returns whether it held. */
    static boolean eventually(java.util.function.BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (check.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return check.getAsBoolean();
    }

    static Path projectDir() {
        return Path.of(System.getProperty("loomscale.projectDir", System.getProperty("user.dir"))).toAbsolutePath().normalize();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void wipe(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Override
    public void close() {
        admin.close();
        proxy.stop(Duration.ofSeconds(1));
    }
}
