package io.loomscale.it;

import io.loomscale.config.ConfigLoader;
import io.loomscale.config.LoomScaleConfig;
import io.loomscale.module.Modules;
import io.loomscale.monitor.Server;
import io.loomscale.service.LoomScale;
import io.loomscale.testing.TestCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * A LoomScale proxy running inside the test JVM, built from a TOML text through the same path as
 * the CLI ({@link ConfigLoader#parse}, {@link Modules#load}, {@link LoomScale#build}).
 *
 * <p>{@link #shared()} is the one proxy per JVM that most integration tests use: two
 * readconnroute services over {@link TestCluster}, {@code write} (the primary) and {@code read}
 * (the replicas), each with a listener on a free loopback port, both on the servers of one
 * {@code mariadbmon} monitor ({@code router_options = "master"} and {@code "slave"}).
 * {@link #start(String, String)} builds a private proxy for tests that need their own backends;
 * the caller stops it.
 *
 * <p>Everything the proxy writes goes under {@code target/it/NAME}. Thread-safe.
 */
final class TestProxy implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private static TestProxy shared;

    private final String name;
    private final LoomScale proxy;

    private TestProxy(String name, LoomScale proxy) {
        this.name = name;
        this.proxy = proxy;
    }

    /** The JVM's shared proxy over the test cluster, started on first use and stopped at JVM exit. */
    static synchronized TestProxy shared() {
        if (shared == null) {
            TestCluster cluster = TestCluster.get();
            String toml = clusterServers(cluster) + services(freePort(), freePort());
            TestProxy p = start("shared", toml);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> p.proxy.stop(Duration.ZERO), "test-proxy-stop"));
            log("shared proxy: write on " + p.port("write") + ", read on " + p.port("read"));
            shared = p;
        }
        return shared;
    }

    private static TestProxy filtered;

    /**
     * A second shared proxy whose {@code write} service (readconnroute to the primary, like the
     * shared one's) chains qlafilter (reply_time, so it follows every reply's end), regexfilter,
     * topfilter and maxrows with limits no test reaches (so every result is collected whole by
     * the session, then sent on), for the transparency
     * tests run through filters (FilteredQueryIT, FilteredSessionStateIT). Files go under
     * {@code target/it/filtered}.
     */
    static synchronized TestProxy filtered() {
        if (filtered == null) {
            TestCluster cluster = TestCluster.get();
            Path dir = projectDir().resolve("target/it/filtered");
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String creds = TestCluster.serviceCredentialsToml();
            String toml = clusterServers(cluster)
                    + "[monitor.cluster1]\nmodule = \"mariadbmon\"\nservers = [\"server1\", \"server2\", \"server3\"]\n"
                    + creds + "monitor_interval = \"500ms\"\n\n"
                    + "[filter.qla]\nmodule = \"qlafilter\"\nfilebase = \"" + dir.resolve("qla") + "\"\n"
                    + "log_type = \"unified\"\nlog_data = \"service,session,date,user,reply_time,query\"\n\n"
                    + "[filter.rewrite]\nmodule = \"regexfilter\"\nmatch = 'it_filtered_never_(\\w+)'\n"
                    + "replace = 'it_filtered_rewritten_$1'\n\n"
                    + "[filter.top]\nmodule = \"topfilter\"\nfilebase = \"" + dir.resolve("top") + "\"\ncount = 5\n\n"
                    + FILTERED_EXTRA
                    + "[service.write]\nrouter = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"cluster1\"\n"
                    + creds + "filters = [\"qla\", \"rewrite\", \"top\"" + FILTERED_EXTRA_NAMES + "]\n\n"
                    + listener("write", "write", freePort());
            TestProxy p = start("filtered", toml);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> p.proxy.stop(Duration.ZERO), "test-proxy-stop"));
            log("filtered proxy: write on " + p.port("write"));
            filtered = p;
        }
        return filtered;
    }

    /** Filter tables the filtered proxy chains after qla, rewrite and top. */
    private static final String FILTERED_EXTRA = "[filter.limit]\nmodule = \"maxrows\"\nmax_resultset_rows = 1000000\n"
            + "max_resultset_size = \"256Mi\"\n\n";
    private static final String FILTERED_EXTRA_NAMES = ", \"limit\"";

    /** The shared proxy if a test started it, else null (does not start it). */
    static synchronized TestProxy sharedIfStarted() {
        return shared;
    }

    /** {@code [server.serverN]} tables for the cluster's three servers (server1 the primary). */
    static String clusterServers(TestCluster cluster) {
        StringBuilder sb = new StringBuilder();
        List<Integer> ports = cluster.ports();
        for (int i = 0; i < ports.size(); i++) {
            sb.append("[server.server").append(i + 1).append("]\naddress = \"").append(cluster.host())
                    .append("\"\nport = ").append(ports.get(i)).append("\n\n");
        }
        return sb.toString();
    }

    private static String services(int writePort, int readPort) {
        String creds = TestCluster.serviceCredentialsToml();
        return "[monitor.cluster1]\nmodule = \"mariadbmon\"\nservers = [\"server1\", \"server2\", \"server3\"]\n"
                + creds + "monitor_interval = \"500ms\"\n\n"
                + "[service.write]\nrouter = \"readconnroute\"\nrouter_options = \"master\"\ncluster = \"cluster1\"\n"
                + creds + "\n"
                + "[service.read]\nrouter = \"readconnroute\"\nrouter_options = \"slave\"\ncluster = \"cluster1\"\n"
                + creds + "\n"
                + listener("write", "write", writePort) + listener("read", "read", readPort);
    }

    /** A {@code [listener.NAME]} table on {@link #HOST}. */
    static String listener(String name, String service, int port) {
        return "[listener." + name + "]\nservice = \"" + service + "\"\naddress = \"" + HOST + "\"\nport = " + port
                + "\n\n";
    }

    /**
     * Builds and starts a proxy from {@code objects} (server, monitor, service and listener
     * tables); the {@code [loomscale]} table is added here, with its directories under
     * {@code target/it/NAME}.
     */
    static TestProxy start(String name, String objects) {
        Path dir = projectDir().resolve("target/it").resolve(name);
        try {
            Files.createDirectories(dir.resolve("log"));
            Files.createDirectories(dir.resolve("data"));
            // A monitor journal of an earlier proxy of this name (a server left in maintenance) must not carry over.
            try (var old = Files.newDirectoryStream(dir.resolve("data"), "mariadbmon-*.json")) {
                for (Path f : old) {
                    Files.delete(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String toml = "[loomscale]\nthreads = 2\nlogdir = \"" + dir.resolve("log") + "\"\ndatadir = \""
                + dir.resolve("data") + "\"\nlibdir = \"" + dir.resolve("lib") + "\"\n\n" + objects;
        LoomScaleConfig cfg = ConfigLoader.parse(toml, "it-" + name + ".toml");
        try {
            LoomScale ls = LoomScale.build(cfg, Modules.load(cfg.global().libdir()));
            ls.start();
            return new TestProxy(name, ls);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build proxy " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting proxy " + name, e);
        }
    }

    static Path projectDir() {
        return Path.of(System.getProperty("loomscale.projectDir", System.getProperty("user.dir")))
                .toAbsolutePath().normalize();
    }

    /** A TCP port that was free on the loopback address a moment ago. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    LoomScale runtime() {
        return proxy;
    }

    int port(String listener) {
        var l = proxy.listeners().get(listener);
        if (l == null) {
            throw new IllegalArgumentException("no listener " + listener + " in proxy " + name);
        }
        return l.port();
    }

    int writePort() {
        return port("write");
    }

    int readPort() {
        return port("read");
    }

    /** Client sessions open on the proxy right now. */
    int sessions() {
        return proxy.sessions().size();
    }

    Server server(String serverName) {
        return proxy.servers().get(serverName);
    }

    /** Waits until at most {@code expected} sessions are open; returns the last count seen. */
    int awaitSessions(int expected, Duration timeout) {
        return awaitAtMost(this::sessions, expected, timeout);
    }

    /** Polls {@code value} every 50 ms until it is at most {@code expected} or {@code timeout} passes; returns it. */
    static int awaitAtMost(IntSupplier value, int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int v = value.getAsInt();
        while (v > expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            v = value.getAsInt();
        }
        return v;
    }

    @Override
    public void close() {
        proxy.stop(STOP_GRACE);
    }

    private static void log(String msg) {
        System.err.println("[TestProxy] " + msg);
    }

    @Override
    public String toString() {
        return "proxy " + name.toLowerCase(Locale.ROOT);
    }
}
