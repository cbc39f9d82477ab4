package io.loomscale.testing;

import io.loomscale.config.ServerConfig;
import io.loomscale.protocol.client.SqlConnection;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The local MariaDB cluster every integration test ({@code *IT}) runs against: a GTID primary
 * and two replicas started by {@code tests-integration/cluster.sh} once per JVM, on ports
 * {@link #BASE_PORT}..{@link #BASE_PORT}+2 (23306 unless the system property
 * {@code loomscale.it.basePort} says otherwise, so two checkouts can run their tests side by side)
 * with its files under {@code target/it-cluster}, and stopped by a shutdown hook.
 *
 * <p>When the cluster cannot be started (no mariadbd, a port taken, a script error) {@link #get()}
 * throws, in every test that asks, with the script's exit code: an integration test must fail,
 * never be skipped, without a server. The project directory comes from the system property
 * {@code loomscale.projectDir} (set by failsafe), else the working directory.
 *
 * <p>Accounts (see {@code cluster.sh}): {@link #APP_USER}/{@link #APP_PASSWORD} (ALL on test.* and
 * sbtest.*), {@link #SERVICE_USER}/{@link #SERVICE_PASSWORD} (SELECT on mysql.*, monitor
 * privileges), {@link #ROOT_USER}/{@link #ROOT_PASSWORD} ('root'@'%'). Thread-safe; tests in one
 * JVM share the cluster, so a test that changes it (stops a node, creates a user) must undo it or
 * use names no other test uses.
 */
public final class TestCluster {
    public static final int BASE_PORT = Integer.getInteger("loomscale.it.basePort", 23306);
    public static final String HOST = "127.0.0.1";
    public static final String APP_USER = "app";
    public static final String APP_PASSWORD = "app_pw";
    public static final String SERVICE_USER = "loomscale";
    public static final String SERVICE_PASSWORD = "loomscale";

    /** The service account as keys of a {@code [service.X]} or {@code [monitor.X]} table: user and password, a line each. */
    public static String serviceCredentialsToml() {
        return "user = \"" + SERVICE_USER + "\"\npassword = \"" + SERVICE_PASSWORD + "\"\n";
    }
    public static final String ROOT_USER = "root";
    public static final String ROOT_PASSWORD = "root_pw";

    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration SQL_TIMEOUT = Duration.ofSeconds(10);

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static TestCluster instance;
    private static RuntimeException startFailure;

    private final Path projectDir;
    private final Path dir;
    private final Map<String, String> env;
    private final int primaryPort;
    private final List<Integer> replicaPorts;

    private TestCluster(Path projectDir, Path dir, Map<String, String> env) {
        this.projectDir = projectDir;
        this.dir = dir;
        this.env = Map.copyOf(env);
        this.primaryPort = port(env, "PRIMARY_PORT");
        this.replicaPorts = List.of(port(env, "REPLICA1_PORT"), port(env, "REPLICA2_PORT"));
    }

    /**
     * The running cluster, started on the first call in this JVM (which blocks until the
     * replicas have caught up). Throws {@link IllegalStateException} if it cannot be started; a
     * failed start is not retried by later calls.
     */
    public static TestCluster get() {
        LOCK.lock();
        try {
            if (instance != null) {
                return instance;
            }
            if (startFailure != null) {
                throw new IllegalStateException("the test cluster failed to start earlier in this JVM: "
                        + startFailure.getMessage(), startFailure);
            }
            try {
                instance = start();
                return instance;
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        } finally {
            LOCK.unlock();
        }
    }

    private static TestCluster start() {
        Path project = Path.of(System.getProperty("loomscale.projectDir", System.getProperty("user.dir")))
                .toAbsolutePath().normalize();
        Path script = project.resolve("tests-integration/cluster.sh");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no " + script + " (is loomscale.projectDir right?)");
        }
        Path dir = project.resolve("target/it-cluster");
        log("starting cluster on ports " + BASE_PORT + ".." + (BASE_PORT + 2) + " in " + dir + " ...");
        long t0 = System.nanoTime();
        String out = run(project, START_TIMEOUT, "start");
        Map<String, String> env = parseEnv(out);
        if (!env.containsKey("PRIMARY_PORT")) {
            throw new IllegalStateException("cluster.sh start printed no PRIMARY_PORT; output was:\n" + out);
        }
        TestCluster c = new TestCluster(project, dir, env);
        Runtime.getRuntime().addShutdownHook(new Thread(c::stopQuietly, "test-cluster-stop"));
        log("ready in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + " s: primary " + c.primaryPort
                + ", replicas " + c.replicaPorts);
        return c;
    }

    /** Runs cluster.sh with our port and dir; its stderr (progress) goes to ours; returns stdout. */
    private static String run(Path project, Duration timeout, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--base-port", String.valueOf(BASE_PORT), "--dir", project.resolve("target/it-cluster").toString()));
        return script(project, timeout, all.toArray(new String[0]));
    }

    /**
     * Runs {@code tests-integration/cluster.sh ARGS} of {@code project} as given (for tests with
     * clusters of their own); its stderr goes to ours; returns its stdout; throws if it fails or
     * overruns {@code timeout}.
     */
    public static String script(Path project, Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", project.resolve("tests-integration/cluster.sh").toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(project.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeout);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed with exit code " + p.exitValue()
                        + " (its messages are on stderr above; is MariaDB installed?)");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
        }
    }

    public static Map<String, String> parseEnv(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return m;
    }

    private static int port(Map<String, String> env, String key) {
        String v = env.get(key);
        if (v == null) {
            throw new IllegalStateException("cluster.env has no " + key + ": " + env);
        }
        return Integer.parseInt(v);
    }

    private void stopQuietly() {
        log("stopping cluster in " + dir);
        try {
            run(projectDir, STOP_TIMEOUT, "stop");
        } catch (RuntimeException e) {
            log("stopping the cluster failed: " + e.getMessage());
        }
    }

    private static void log(String msg) {
        System.err.println("[TestCluster] " + msg);
    }

    /** Always {@value #HOST}: the servers listen on loopback only. */
    public String host() {
        return HOST;
    }

    public int primaryPort() {
        return primaryPort;
    }

    /** The two replicas' ports, in order (server2, server3). */
    public List<Integer> replicaPorts() {
        return replicaPorts;
    }

    /** Primary first, then the replicas. */
    public List<Integer> ports() {
        return List.of(primaryPort, replicaPorts.get(0), replicaPorts.get(1));
    }

    /** server1 (primary), server2, server3 at {@link #host()}, weight 1, no connection pool. */
    public List<ServerConfig> serverConfigs() {
        List<ServerConfig> out = new ArrayList<>(3);
        List<Integer> ports = ports();
        for (int i = 0; i < ports.size(); i++) {
            out.add(new ServerConfig("server" + (i + 1), HOST, ports.get(i), 1, 0, Duration.ZERO));
        }
        return out;
    }

    /** The cluster's files (datadirs, error logs in {@code sN/error.log}). */
    public Path dir() {
        return dir;
    }

    /** cluster.env as printed by {@code cluster.sh start} (PRIMARY_PORT, ..._ERROR_LOG, ...). */
    public Map<String, String> env() {
        return env;
    }

    /** Runs one statement on a fresh connection and returns its whole result. */
    public SqlConnection.Result sql(int port, String user, String password, String sql) {
        try (SqlConnection c = SqlConnection.open(HOST, port, user, password, SQL_TIMEOUT)) {
            c.setTimeout(SQL_TIMEOUT);
            return c.query(sql);
        } catch (IOException e) {
            throw new UncheckedIOException("127.0.0.1:" + port + " as " + user + ": " + sql, e);
        }
    }

    /** {@link #sql} as 'root'@'%'. */
    public SqlConnection.Result rootSql(int port, String sql) {
        return sql(port, ROOT_USER, ROOT_PASSWORD, sql);
    }

    /** The first column of the first row of a query run as root, or null when there is no row. */
    public String rootScalar(int port, String sql) {
        SqlConnection.Result r = rootSql(port, sql);
        return r.rows().isEmpty() ? null : r.rows().get(0)[0];
    }

    /**
     * Stops one server (1 = primary, 2 and 3 = replicas), keeping its data, with
     * {@code cluster.sh stop-node}. The caller must {@link #startNode} it again (in a finally):
     * other tests share the cluster.
     */
    public void stopNode(int node) {
        checkNode(node);
        log("stopping node " + node + " (port " + ports().get(node - 1) + ")");
        run(projectDir, STOP_TIMEOUT, "stop-node", String.valueOf(node));
    }

    /**
     * Starts a server stopped by {@link #stopNode} and waits until it answers. A replica gets
     * {@code read_only=1} back: cluster.sh sets it at run time only, so a restart loses it.
     */
    public void startNode(int node) {
        checkNode(node);
        log("starting node " + node + " (port " + ports().get(node - 1) + ")");
        run(projectDir, START_TIMEOUT, "start-node", String.valueOf(node));
        if (node > 1) {
            rootSql(ports().get(node - 1), "SET GLOBAL read_only = 1");
        }
    }

    private static void checkNode(int node) {
        if (node < 1 || node > 3) {
            throw new IllegalArgumentException("node: " + node + " (expected: 1..3)");
        }
    }

    /** Waits (at most 30 s) until both replicas have applied everything the primary has. */
    public void waitForReplication() {
        waitForReplication(Duration.ofSeconds(30));
    }

    /**
     * Waits until every replica's {@code @@gtid_current_pos} has reached the primary's, domain by
     * domain; throws {@link IllegalStateException} with the positions when {@code timeout} passes.
     */
    public void waitForReplication(Duration timeout) {
        String target = rootScalar(primaryPort, "SELECT @@GLOBAL.gtid_current_pos");
        Map<Long, Long> want = Gtid.parse(target);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int port : replicaPorts) {
            while (true) {
                String pos = rootScalar(port, "SELECT @@GLOBAL.gtid_current_pos");
                if (Gtid.reached(Gtid.parse(pos), want)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replica on port " + port + " is at '" + pos
                            + "', primary at '" + target + "' after " + timeout);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for replication", e);
                }
            }
        }
    }

    /** GTID position arithmetic: "D-S-N,D-S-N" as domain -> sequence number. */
    static final class Gtid {
        private Gtid() {
        }

        static Map<Long, Long> parse(String pos) {
            Map<Long, Long> m = new LinkedHashMap<>();
            if (pos == null || pos.isBlank()) {
                return m;
            }
            for (String g : pos.split(",")) {
                String[] p = g.trim().split("-");
                if (p.length == 3) {
                    m.put(Long.parseLong(p[0]), Long.parseLong(p[2]));
                }
            }
            return m;
        }

        static boolean reached(Map<Long, Long> have, Map<Long, Long> want) {
            for (Map.Entry<Long, Long> e : want.entrySet()) {
                Long h = have.get(e.getKey());
                if (h == null || h < e.getValue()) {
                    return false;
                }
            }
            return true;
        }
    }
}
