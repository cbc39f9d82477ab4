package io.loomscale.monitor;

import io.loomscale.config.MonitorConfig;
import io.loomscale.config.Params;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code mariadbmon} monitor (MaxScale 2.1's {@code mysqlmon}), detection only: every
 * {@code monitor_interval} it probes its servers and publishes who is Master, Slave, Running or
 * Down, and each slave's lag. It never changes the servers (no failover).
 *
 * <p><b>Threads.</b> One loop thread ({@code monitor-NAME}, virtual) runs the ticks. Each tick
 * probes all servers in parallel on short-lived virtual threads, each using its server's kept
 * {@link ServerProbe} connection (one probe per server at a time), waits for all of them (bounded by
 * the connect and read timeouts), computes the states with the pure {@link Topology#resolve}, and
 * publishes them through {@link Server#state(ServerState)}. {@link #setMaintenance} may be called
 * from any thread; a small lock (never held across I/O) orders its publication with the loop's,
 * so a server put in maintenance is never published without the flag afterwards.
 *
 * <p><b>Logs.</b> Every role change is logged at INFO, MaxScale style
 * ({@code Server changed state: server1 (127.0.0.1:3306): master_down. [Master, Running] -> [Down]});
 * a server's connection error at WARN when it first appears or changes, not at every tick.
 *
 * <p><b>Module keys</b> ({@code [monitor.NAME]}, MaxScale 2.1 names and defaults):
 * {@code backend_connect_timeout} (3s; a bare integer counts seconds), {@code backend_read_timeout}
 * (3s), {@code backend_write_timeout} (2s; accepted for MaxScale configs but without effect: a
 * probe writes a few bytes, which never block), {@code detect_stale_master} (true) and
 * {@code detect_stale_slave} (true). Any other key is a configuration error.
 */
public final class MariaDbMonitor implements Monitor {
    private static final Logger log = LoggerFactory.getLogger(MariaDbMonitor.class);

    public static final String MODULE = "mariadbmon";
    static final String CONNECT_TIMEOUT = "backend_connect_timeout";
    static final String READ_TIMEOUT = "backend_read_timeout";
    static final String WRITE_TIMEOUT = "backend_write_timeout";
    static final String DETECT_STALE_MASTER = "detect_stale_master";
    static final String DETECT_STALE_SLAVE = "detect_stale_slave";
    static final Set<String> PARAMS = Set.of(CONNECT_TIMEOUT, READ_TIMEOUT, WRITE_TIMEOUT, DETECT_STALE_MASTER,
            DETECT_STALE_SLAVE);
    /** The GET_LOCK name of cooperative monitoring: the same in every LoomScale, whatever the monitor is called. */
    static final String COOPERATIVE_LOCK = "loomscale_mariadbmon";

    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final MonitorConfig config;
    private final List<Server> servers;
    private final List<ServerProbe> probes;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration writeTimeout;
    private final Topology.Options options;
    private final HaOptions ha;
    private final ClusterControl control;
    private final MonitorJournal journal;
    /** The primary named by the journal at start, until the first tick has used it. */
    private String journalMaster = "";

    /** Commands (switchover, failover, rejoin) for the loop thread, which runs them between ticks. */
    private final java.util.concurrent.LinkedBlockingQueue<Command> commands = new java.util.concurrent.LinkedBlockingQueue<>();

    private record Command(String name, List<String> args, java.util.concurrent.CompletableFuture<String> result) {
    }

    private final Set<String> maintenance = ConcurrentHashMap.newKeySet();
    /** Orders state publication between the loop and {@link #setMaintenance}; never held across I/O. */
    private final ReentrantLock publishLock = new ReentrantLock();

    private final ReentrantLock tickLock = new ReentrantLock();
    private final Condition tickDone = tickLock.newCondition();
    private final Condition wakeUp = tickLock.newCondition();
    private long ticksStarted;
    private long ticksCompleted;
    private boolean running;
    private Thread loop;
    private ExecutorService probeExecutor;

    /** The last probe result of each server (for diagnostics), written by the loop thread. */
    private final AtomicReferenceArray<ServerProbe.Result> lastResults;
    /** The last error logged for each server; loop thread only. */
    private final String[] loggedErrors;
    private volatile long lastTickMillis = -1;

    /**
     * Validates the module keys; starts nothing.
     *
     * @param servers the monitored servers, in config order
     * @throws io.loomscale.config.ConfigException for an unknown key or a bad value
     */
    public MariaDbMonitor(MonitorConfig config, List<Server> servers) {
        this(config, servers, null);
    }

    /**
     * Validates the module keys; starts nothing.
     *
     * @param servers the monitored servers, in config order
     * @param datadir where the monitor journal is kept ({@link MonitorJournal}), or null for none
     * @throws io.loomscale.config.ConfigException for an unknown key or a bad value
     */
    public MariaDbMonitor(MonitorConfig config, List<Server> servers, java.nio.file.Path datadir) {
        this.config = config;
        this.servers = List.copyOf(servers);
        Params p = config.params();
        this.connectTimeout = positive(p, CONNECT_TIMEOUT, p.duration(CONNECT_TIMEOUT, Duration.ofSeconds(3),
                ChronoUnit.SECONDS));
        this.readTimeout = positive(p, READ_TIMEOUT, p.duration(READ_TIMEOUT, Duration.ofSeconds(3),
                ChronoUnit.SECONDS));
        this.writeTimeout = positive(p, WRITE_TIMEOUT, p.duration(WRITE_TIMEOUT, Duration.ofSeconds(2),
                ChronoUnit.SECONDS));
        this.options = new Topology.Options(p.bool(DETECT_STALE_MASTER, true), p.bool(DETECT_STALE_SLAVE, true));
        this.ha = HaOptions.read(config, this.servers);
        Set<String> known = new java.util.HashSet<>(PARAMS);
        known.addAll(HaOptions.KEYS);
        p.rejectUnknown(known);
        this.control = new ClusterControl(this, ha);
        this.journal = new MonitorJournal(datadir, config.name());
        List<ServerProbe> list = new ArrayList<>(this.servers.size());
        String lock = ha.locks() == HaOptions.Locks.NONE ? null : COOPERATIVE_LOCK;
        for (Server s : this.servers) {
            list.add(new ServerProbe(s, config.user(), config.password(), connectTimeout, readTimeout, lock));
        }
        this.probes = List.copyOf(list);
        this.lastResults = new AtomicReferenceArray<>(this.servers.size());
        this.loggedErrors = new String[this.servers.size()];
        Arrays.fill(loggedErrors, "");
    }

    private static Duration positive(Params p, String key, Duration d) {
        if (d.isZero()) {
            throw p.error(key, "must be more than 0", "a duration such as \"3s\" or \"500ms\"");
        }
        return d;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public List<Server> servers() {
        return servers;
    }

    @Override
    public void start() {
        tickLock.lock();
        try {
            if (running) {
                return;
            }
            running = true;
            MonitorJournal.State j = journal.read();
            journalMaster = j.master();
            for (String m : j.maintenance()) {
                for (Server sv : servers) {
                    if (sv.name().equals(m) && maintenance.add(m)) {
                        sv.state(sv.state().withFlags(sv.state().flags() | ServerState.MAINTENANCE));
                        log.info("Monitor {}: {} is in maintenance (remembered in {})", config.name(), m, journal.file());
                    }
                }
            }
            probeExecutor = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("monitor-" + name() + "-probe-", 0).factory());
            loop = Thread.ofVirtual().name("monitor-" + name()).start(this::run);
        } finally {
            tickLock.unlock();
        }
        log.info("Monitor {} started: {} servers every {} ms", name(), servers.size(),
                config.monitorInterval().toMillis());
    }

    @Override
    public void stop() {
        Thread t;
        ExecutorService ex;
        tickLock.lock();
        try {
            if (!running) {
                return;
            }
            running = false;
            t = loop;
            ex = probeExecutor;
            loop = null;
            wakeUp.signalAll();
        } finally {
            tickLock.unlock();
        }
        t.interrupt();
        ex.shutdownNow();
        // Closing the sockets unblocks any probe still reading.
        for (ServerProbe p : probes) {
            p.close();
        }
        try {
            if (!t.join(STOP_WAIT)) {
                log.warn("Monitor {}: loop thread did not stop within {} ms", name(), STOP_WAIT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ServerProbe p : probes) {
            p.close();
        }
        log.info("Monitor {} stopped", name());
    }

    @Override
    public boolean awaitTick(long timeoutMillis) throws InterruptedException {
        tickLock.lock();
        try {
            // A tick already under way may have probed before the caller's change: wait for the next one.
            long target = ticksStarted + 1;
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (ticksCompleted < target) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = tickDone.awaitNanos(nanos);
            }
            return true;
        } finally {
            tickLock.unlock();
        }
    }

    @Override
    public void setMaintenance(String server, boolean on) {
        Server s = find(server);
        publishLock.lock();
        try {
            boolean changed = on ? maintenance.add(s.name()) : maintenance.remove(s.name());
            if (!changed) {
                return;
            }
            ServerState old = s.state();
            int flags = on ? old.flags() | ServerState.MAINTENANCE : old.flags() & ~ServerState.MAINTENANCE;
            ServerState now = old.withFlags(flags);
            s.state(now);
            StateChanges.log(s, old, now);
        } finally {
            publishLock.unlock();
        }
        saveJournal(); // now, not at the end of the next tick: the process may stop before that
    }

    private Server find(String name) {
        for (Server s : servers) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("monitor " + name() + " does not watch a server named '" + name + "'");
    }

    // ---- the loop ----------------------------------------------------------------------------

    private void run() {
        long interval = config.monitorInterval().toNanos();
        try {
            while (true) {
                long start = System.nanoTime();
                if (!beginTick()) {
                    return;
                }
                try {
                    tick();
                } catch (RuntimeException e) {
                    log.error("Monitor {}: tick failed", name(), e);
                }
                lastTickMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                endTick();
                if (!sleepUntil(start + interval)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (ServerProbe p : probes) {
                p.close();
            }
        }
    }

    private boolean beginTick() {
        tickLock.lock();
        try {
            if (!running) {
                return false;
            }
            ticksStarted++;
            return true;
        } finally {
            tickLock.unlock();
        }
    }

    private void endTick() {
        tickLock.lock();
        try {
            ticksCompleted = ticksStarted;
            tickDone.signalAll();
        } finally {
            tickLock.unlock();
        }
    }

    /** Sleeps until {@code deadline} (System.nanoTime) or stop; false when stopped. */
    private boolean sleepUntil(long deadline) throws InterruptedException {
        tickLock.lock();
        try {
            long nanos;
            while (running && commands.isEmpty() && (nanos = deadline - System.nanoTime()) > 0) {
                wakeUp.awaitNanos(nanos);
            }
            return running;
        } finally {
            tickLock.unlock();
        }
    }

    /**
     * One pass: probe, resolve, publish, log; then, on the loop thread between probes, the
     * commands callers queued and (when this monitor may act: see cooperative monitoring) the
     * automatic failover, rejoin and read-only enforcement. Whatever changed the cluster is
     * followed by another probe, so routers see the new roles at once rather than a tick later.
     */
    void tick() throws InterruptedException {
        List<Topology.Node> nodes = probeAndPublish();
        boolean acting = control.cooperate(nodes);
        Command c;
        while ((c = commands.poll()) != null) {
            runCommand(c, nodes, acting);
            nodes = probeAndPublish();
        }
        if (acting && control.automatic(nodes)) {
            probeAndPublish();
        }
        saveJournal();
    }

    /** Probes every server not in maintenance, resolves the roles, publishes them; returns what it saw. */
    List<Topology.Node> probeAndPublish() throws InterruptedException {
        int n = servers.size();
        Set<String> inMaintenance = Set.copyOf(maintenance);
        List<Callable<ServerProbe.Result>> tasks = new ArrayList<>();
        List<Integer> probed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!inMaintenance.contains(servers.get(i).name())) {
                tasks.add(probes.get(i)::probe);
                probed.add(i);
            }
        }
        ServerProbe.Result[] results = new ServerProbe.Result[n];
        if (!tasks.isEmpty()) {
            // Connect, then two queries: the longest a healthy probe can take, plus slack.
            long bound = connectTimeout.toMillis() + 2 * readTimeout.toMillis() + 1000;
            List<Future<ServerProbe.Result>> futures = probeExecutor.invokeAll(tasks, bound, TimeUnit.MILLISECONDS);
            for (int k = 0; k < futures.size(); k++) {
                int i = probed.get(k);
                results[i] = outcome(futures.get(k), bound, probes.get(i));
            }
        }
        List<Topology.Node> nodes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Server s = servers.get(i);
            ServerProbe.Result r = results[i];
            boolean maint = r == null;
            ServerState previous = s.state();
            if (!journalMaster.isEmpty() && s.name().equals(journalMaster)) {
                previous = previous.withFlags(previous.flags() | ServerState.MASTER); // the primary before the restart
            }
            nodes.add(new Topology.Node(s.name(), s.address(), s.port(), maint, previous,
                    maint ? null : r.probe(), maint ? "" : r.error()));
        }
        List<ServerState> states = Topology.resolve(nodes, options);
        if (!journalMaster.isEmpty()) {
            control.remember(journalMaster);
            journalMaster = "";
        }
        for (int i = 0; i < n; i++) {
            publish(servers.get(i), states.get(i));
            if (results[i] != null) {
                lastResults.set(i, results[i]);
                logError(i, results[i]);
            }
        }
        control.observe(nodes, states);
        return nodes;
    }

    /** Publishes {@code state} for server {@code i} now (the switchover's "no primary" moment). */
    void publishNow(int i, ServerState state) {
        publish(servers.get(i), state);
    }

    List<ServerProbe> probes() {
        return probes;
    }

    Duration readTimeout() {
        return readTimeout;
    }

    private synchronized void saveJournal() {
        String master = "";
        for (Server s : servers) {
            if (s.state().isMaster()) {
                master = s.name();
            }
        }
        if (master.isEmpty()) {
            master = control.lastMasterName(); // down: still the one to fail over from
        }
        journal.write(new MonitorJournal.State(master, Set.copyOf(maintenance)));
    }

    // ---- commands --------------------------------------------------------------------------

    @Override
    public String command(String command, List<String> args) throws InterruptedException {
        String name = command == null ? "" : command.toLowerCase(java.util.Locale.ROOT);
        switch (name) {
            case "switchover" -> {
                if (args.size() > 2) {
                    throw new IllegalArgumentException("usage: switchover [NEW_PRIMARY [OLD_PRIMARY]]");
                }
            }
            case "failover" -> {
                if (!args.isEmpty()) {
                    throw new IllegalArgumentException("usage: failover (it takes no arguments)");
                }
            }
            case "rejoin" -> {
                if (args.size() != 1) {
                    throw new IllegalArgumentException("usage: rejoin SERVER");
                }
            }
            default -> throw new IllegalArgumentException("monitor " + name() + " (" + MODULE
                    + ") has no command '" + command + "'; it has switchover, failover, rejoin");
        }
        for (String a : args) {
            find(a); // IllegalArgumentException for an unknown server
        }
        java.util.concurrent.CompletableFuture<String> f = new java.util.concurrent.CompletableFuture<>();
        tickLock.lock();
        try {
            if (!running) {
                throw new IllegalStateException("monitor " + name() + " is not running");
            }
            commands.add(new Command(name, List.copyOf(args), f));
            wakeUp.signalAll();
        } finally {
            tickLock.unlock();
        }
        long wait = ha.switchoverTimeout().plus(ha.failoverTimeout()).plus(config.monitorInterval().multipliedBy(2))
                .plus(connectTimeout.plus(readTimeout).multipliedBy(2)).toMillis();
        try {
            return f.get(wait, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(String.valueOf(e.getCause()), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(name + " did not finish within " + wait + " ms");
        }
    }

    private void runCommand(Command c, List<Topology.Node> nodes, boolean acting) {
        try {
            if (!acting) {
                throw new IllegalStateException("this LoomScale is not the primary monitor of the cluster "
                        + "(cooperative_monitoring_locks): run the command on the one that is");
            }
            String out = switch (c.name()) {
                case "switchover" -> control.switchover(nodes, c.args().isEmpty() ? -1 : index(c.args().get(0)),
                        c.args().size() < 2 ? -1 : index(c.args().get(1)));
                case "failover" -> control.failover(nodes, true);
                case "rejoin" -> control.rejoin(nodes, index(c.args().get(0)), true);
                default -> throw new IllegalArgumentException("unknown command " + c.name());
            };
            c.result().complete(out);
        } catch (RuntimeException e) {
            c.result().completeExceptionally(e);
        }
    }

    private int index(String server) {
        return servers.indexOf(find(server));
    }

    private static ServerProbe.Result outcome(Future<ServerProbe.Result> f, long boundMillis, ServerProbe probe)
            throws InterruptedException {
        try {
            return f.get();
        } catch (CancellationException e) {
            probe.close();
            return ServerProbe.Result.down("probe did not finish within " + boundMillis + " ms");
        } catch (ExecutionException e) {
            probe.close();
            log.error("Monitor probe of {} failed unexpectedly", probe.server(), e.getCause());
            return ServerProbe.Result.down(String.valueOf(e.getCause()));
        }
    }

    private void publish(Server s, ServerState computed) {
        publishLock.lock();
        try {
            // Maintenance may have been switched since the tick began: the flag follows the set.
            boolean maint = maintenance.contains(s.name());
            int flags = maint ? computed.flags() | ServerState.MAINTENANCE
                    : computed.flags() & ~ServerState.MAINTENANCE;
            ServerState now = computed.withFlags(flags);
            ServerState old = s.state();
            s.state(now);
            StateChanges.log(s, old, now);
        } finally {
            publishLock.unlock();
        }
    }

    private void logError(int i, ServerProbe.Result r) {
        String err = r.error();
        Server s = servers.get(i);
        if (!err.isEmpty() && !err.equals(loggedErrors[i])) {
            log.warn("Monitor {}: {} ({}:{}): {}", name(), s.name(), s.address(), s.port(), err);
        } else if (err.isEmpty() && !loggedErrors[i].isEmpty()) {
            log.info("Monitor {}: {} ({}:{}) answers again", name(), s.name(), s.address(), s.port());
        }
        loggedErrors[i] = err;
    }

    // ---- diagnostics -------------------------------------------------------------------------

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> m = new LinkedHashMap<>();
        long started;
        long completed;
        boolean isRunning;
        tickLock.lock();
        try {
            started = ticksStarted;
            completed = ticksCompleted;
            isRunning = running;
        } finally {
            tickLock.unlock();
        }
        m.put("name", name());
        m.put("module", MODULE);
        m.put("state", isRunning ? "Running" : "Stopped");
        m.put("monitor_interval_ms", config.monitorInterval().toMillis());
        m.put(CONNECT_TIMEOUT + "_ms", connectTimeout.toMillis());
        m.put(READ_TIMEOUT + "_ms", readTimeout.toMillis());
        m.put(WRITE_TIMEOUT + "_ms", writeTimeout.toMillis());
        m.put(DETECT_STALE_MASTER, options.detectStaleMaster());
        m.put(DETECT_STALE_SLAVE, options.detectStaleSlave());
        control.diagnostics(m);
        m.put("ticks", completed);
        m.put("tick_in_progress", started > completed);
        m.put("last_tick_ms", lastTickMillis);
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            list.add(StateChanges.diagnostics(servers.get(i), lastResults.get(i), probes.get(i)));
        }
        m.put("servers", list);
        return m;
    }
}
