package io.loomscale.monitor;

import io.loomscale.protocol.Gtid;
import io.loomscale.protocol.client.SqlConnection;
import io.loomscale.protocol.client.SqlException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The part of {@link MariaDbMonitor} that changes the cluster: automatic failover
 * ({@code auto_failover}), switchover, rejoin ({@code auto_rejoin}), {@code enforce_read_only_slaves},
 * and cooperative monitoring ({@code cooperative_monitoring_locks}: which of several LoomScales
 * watching one cluster may do any of that). Decisions come from {@link Promotion}, SQL steps from
 * {@link ClusterOps}. Runs on the monitor's loop thread only, between probes, so no probe uses a
 * connection while a step does; its counters are read by diagnostics on any thread.
 *
 * <p><b>Failover.</b> The server last published as primary is down (not in maintenance) for
 * {@code failcount} ticks in a row; with {@code verify_master_failure}, its replicas must have
 * lost it too (none still shows {@code Slave_IO_Running: Yes}, for at most
 * {@code master_failure_timeout}); then the best replica applies its relay log, is promoted, and
 * the other replicas replicate from it. A refusal is logged with its reason (once per reason)
 * and nothing is changed; it is tried again every tick, as conditions may change.
 *
 * <p><b>Switchover.</b> The old primary is published as no longer primary first, so routers hold
 * new writes ({@code delayed_retry}) instead of sending them where they would fail; open
 * transactions get up to two seconds to finish; then it is made read-only, the connections still
 * in a transaction are killed (readwritesplit's {@code transaction_replay} replays them on the
 * new primary), the new primary applies everything the old one wrote, is promoted, and the others,
 * the old primary included, replicate from it. A failure before the promotion makes the old
 * primary writable again.
 *
 * <p><b>Cooperative monitoring.</b> Each probe connection claims the lock
 * {@value MariaDbMonitor#COOPERATIVE_LOCK} on its server ({@code GET_LOCK}, held while the
 * connection lives). A monitor holding the lock on a majority of all servers
 * ({@code majority_of_all}) or of the running ones ({@code majority_of_running}) is the primary
 * monitor and the only one that acts; the others only watch. A monitor left with a minority for
 * two ticks releases its locks and waits a random one to three ticks before claiming again, so the
 * locks end up with one monitor instead of staying split. When the primary monitor's process
 * dies, its connections close, the servers free its locks, and another monitor takes them.
 */
final class ClusterControl {
    private static final Logger log = LoggerFactory.getLogger(MariaDbMonitor.class);
    /** How long a switchover lets open transactions on the old primary finish before it kills them. */
    private static final long TRX_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final MariaDbMonitor monitor;
    private final HaOptions ha;
    private final ClusterOps ops;

    // Loop-thread state.
    private volatile int master = -1; // read by saveJournal from setMaintenance too
    private int masterDownTicks;
    private long masterDownSince;
    private String lastRefusal = "";
    private final Map<String, String> rejoinNotes = new LinkedHashMap<>();
    private int minorityTicks;
    private int backoffTicks;

    private volatile boolean primaryMonitor = true;
    private volatile int locksHeld;
    private final AtomicLong failovers = new AtomicLong();
    private final AtomicLong switchovers = new AtomicLong();
    private final AtomicLong rejoins = new AtomicLong();
    private volatile String lastEvent = "";

    ClusterControl(MariaDbMonitor monitor, HaOptions ha) {
        this.monitor = monitor;
        this.ha = ha;
        this.ops = new ClusterOps(monitor.name(), ha.replicationUser(), ha.replicationPassword());
    }

    private List<Server> servers() {
        return monitor.servers();
    }

    /** The primary named by the journal: the one to fail over from if it is down at start. */
    void remember(String name) {
        for (int i = 0; i < servers().size(); i++) {
            if (servers().get(i).name().equals(name) && master < 0) {
                master = i;
            }
        }
    }

    /** The server last known as primary, "" if none. */
    String lastMasterName() {
        return master < 0 ? "" : servers().get(master).name();
    }

    /** After each probe: follows the primary, and counts the ticks it has been down. */
    void observe(List<Topology.Node> nodes, List<ServerState> states) {
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).isMaster()) {
                master = i;
                masterDownTicks = 0;
                lastRefusal = "";
                return;
            }
        }
        if (master >= 0 && !nodes.get(master).maintenance() && nodes.get(master).probe() == null) {
            if (masterDownTicks++ == 0) {
                masterDownSince = System.nanoTime();
            }
        } else {
            masterDownTicks = 0;
        }
    }

    // ---- cooperative monitoring ---------------------------------------------------------------

    /** Whether this monitor may act this tick; claims and releases locks as described above. */
    boolean cooperate(List<Topology.Node> nodes) {
        if (ha.locks() == HaOptions.Locks.NONE) {
            return true;
        }
        List<ServerProbe> probes = monitor.probes();
        int held = 0;
        int running = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (probes.get(i).holdsLock()) {
                held++;
            }
            if (nodes.get(i).probe() != null) {
                running++;
            }
        }
        int base = ha.locks() == HaOptions.Locks.MAJORITY_OF_ALL ? nodes.size() : running;
        boolean primary = base > 0 && held >= base / 2 + 1;
        locksHeld = held;
        if (primary != primaryMonitor) {
            log.info("Monitor {}: this LoomScale is now the {} monitor of the cluster (holds the lock on {} of {} {}servers)",
                    monitor.name(), primary ? "primary" : "secondary", held, base,
                    ha.locks() == HaOptions.Locks.MAJORITY_OF_RUNNING ? "running " : "");
            primaryMonitor = primary;
        }
        if (backoffTicks > 0) {
            if (--backoffTicks == 0) {
                setWanted(true);
            }
        } else if (!primary && held > 0) {
            if (++minorityTicks >= 2) {
                minorityTicks = 0;
                backoffTicks = 1 + ThreadLocalRandom.current().nextInt(3);
                setWanted(false);
                log.info("Monitor {}: holds only {} of the {} locks it needs; releasing them for another monitor",
                        monitor.name(), held, base / 2 + 1);
            }
        } else {
            minorityTicks = 0;
        }
        return primary;
    }

    private void setWanted(boolean want) {
        for (ServerProbe p : monitor.probes()) {
            p.wantLock(want);
        }
    }

    // ---- automatic actions --------------------------------------------------------------------

    /** Automatic failover, rejoin and read-only enforcement; true if the cluster was changed. */
    boolean automatic(List<Topology.Node> nodes) {
        boolean changed = false;
        if (ha.autoFailover() && master >= 0 && masterDownTicks >= ha.failcount()) {
            try {
                failover(nodes, false);
                changed = true;
            } catch (IllegalStateException e) {
                if (!e.getMessage().equals(lastRefusal)) {
                    log.error("Monitor {}: {}", monitor.name(), e.getMessage());
                    lastRefusal = e.getMessage();
                }
            }
        }
        int m = currentMaster();
        if (!changed && m >= 0 && ha.autoRejoin()) {
            for (int i = 0; i < nodes.size(); i++) {
                if (i != m && needsRejoin(nodes, i, m)) {
                    try {
                        rejoin(nodes, i, false);
                        changed = true;
                    } catch (IllegalStateException e) {
                        String note = e.getMessage();
                        if (!note.equals(rejoinNotes.get(nodes.get(i).name()))) {
                            log.warn("Monitor {}: {}", monitor.name(), note);
                            rejoinNotes.put(nodes.get(i).name(), note);
                        }
                    }
                }
            }
        }
        if (!changed && ha.enforceReadOnlySlaves()) {
            for (int i = 0; i < nodes.size(); i++) {
                Probe p = nodes.get(i).probe();
                if (p != null && p.replicationKnown() && !p.readOnly() && servers().get(i).state().isSlave()) {
                    try {
                        ops.readOnly(servers().get(i), admin(i, monitor.readTimeout()));
                    } catch (IOException | SqlException e) {
                        log.warn("Monitor {}: cannot make {} read-only: {}", monitor.name(), servers().get(i).name(),
                                e.getMessage());
                    } finally {
                        monitor.probes().get(i).endAdmin();
                    }
                }
            }
        }
        return changed;
    }

    private int currentMaster() {
        for (int i = 0; i < servers().size(); i++) {
            if (servers().get(i).state().isMaster()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A running server that is not the primary, not in maintenance, and replicates from nothing
     * that runs (standalone, or still pointing at a dead old primary). A replica of the primary
     * whose threads were stopped by hand is left alone.
     */
    private static boolean needsRejoin(List<Topology.Node> nodes, int i, int m) {
        Topology.Node n = nodes.get(i);
        Probe p = n.probe();
        if (n.maintenance() || p == null || !p.replicationKnown() || Promotion.linkTo(nodes, i, m) != null) {
            return false;
        }
        for (Probe.SlaveStatus s : p.slaves()) {
            int src = Topology.findSource(nodes, i, s);
            if (src < 0 || nodes.get(src).probe() != null) {
                return false; // replicates from something alive (or outside the monitor): not ours to change
            }
        }
        return true;
    }

    // ---- failover -----------------------------------------------------------------------------

    /** Fails over from the last known primary; {@code manual} skips the failcount. */
    String failover(List<Topology.Node> nodes, boolean manual) {
        if (master < 0) {
            throw new IllegalStateException("failover: no primary is known, so there is nothing to fail over from");
        }
        int dead = master;
        if (currentMaster() >= 0) {
            throw new IllegalStateException("failover: " + servers().get(currentMaster()).name() + " is the primary and runs");
        }
        String deadName = servers().get(dead).name();
        Promotion.Decision d = Promotion.failover(nodes, dead, ha.noPromotion(), ha.verifyMasterFailure()
                && System.nanoTime() - masterDownSince < ha.masterFailureTimeout().toNanos());
        if (d instanceof Promotion.Wait w) {
            throw new IllegalStateException("failover of " + deadName + " postponed: " + w.reason());
        }
        if (d instanceof Promotion.Refused r) {
            throw new IllegalStateException("failover of " + deadName + " refused: " + r.reason()
                    + "; nothing was changed");
        }
        Promotion.Plan plan = (Promotion.Plan) d;
        log.warn("Monitor {}: {} failover: {} is down{}; promoting {}", monitor.name(), manual ? "manual" : "automatic",
                deadName, manual ? "" : " for " + masterDownTicks + " ticks", servers().get(plan.candidate()).name());
        long deadline = System.nanoTime() + ha.failoverTimeout().toNanos();
        String result = promote(nodes, plan, dead, deadline, "failover");
        failovers.incrementAndGet();
        return result;
    }

    /** Promotes the plan's candidate and points the others at it; the primary becomes the candidate. */
    private String promote(List<Topology.Node> nodes, Promotion.Plan plan, int old, long deadline, String what) {
        int c = plan.candidate();
        Server cand = servers().get(c);
        ServerProbe probe = monitor.probes().get(c);
        try {
            SqlConnection conn = admin(c, remaining(deadline));
            ops.awaitApplied(cand, conn, plan.received(), deadline);
            ops.promote(cand, conn, nodes.get(c).probe().slaves());
        } catch (IOException | SqlException e) {
            throw new IllegalStateException(what + " failed while promoting " + cand.name() + ": " + e.getMessage());
        } finally {
            probe.endAdmin();
        }
        master = c;
        masterDownTicks = 0;
        List<String> problems = new ArrayList<>();
        for (int r : plan.redirect()) {
            Server s = servers().get(r);
            try {
                Probe p = nodes.get(r).probe();
                List<Probe.SlaveStatus> links = p == null ? List.of() : p.slaves();
                ops.replicateFrom(s, admin(r, remaining(deadline)), cand, links);
            } catch (IOException | SqlException e) {
                problems.add(s.name() + ": " + e.getMessage());
                log.error("Monitor {}: {}: cannot make {} replicate from {}: {}", monitor.name(), what, s.name(),
                        cand.name(), e.getMessage());
            } finally {
                monitor.probes().get(r).endAdmin();
            }
        }
        String msg = what + " done: " + cand.name() + " is the primary (was " + servers().get(old).name() + ")"
                + (problems.isEmpty() ? "" : "; not redirected: " + String.join("; ", problems));
        log.warn("Monitor {}: {}", monitor.name(), msg);
        lastEvent = msg;
        lastRefusal = "";
        return msg;
    }

    private SqlConnection admin(int i, Duration timeout) throws IOException {
        return monitor.probes().get(i).admin(timeout);
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime()));
    }

    // ---- switchover ---------------------------------------------------------------------------

    /** Switchover to {@code wanted} (-1: the best replica) from {@code from} (-1: the primary). */
    String switchover(List<Topology.Node> nodes, int wanted, int from) {
        int old = currentMaster();
        if (old < 0) {
            throw new IllegalStateException("switchover: there is no running primary (use failover)");
        }
        if (from >= 0 && from != old) {
            throw new IllegalStateException("switchover: " + servers().get(from).name() + " is not the primary ("
                    + servers().get(old).name() + " is)");
        }
        Promotion.Decision d = Promotion.switchover(nodes, old, wanted, ha.noPromotion());
        if (!(d instanceof Promotion.Plan plan)) {
            String why = d instanceof Promotion.Refused r ? r.reason() : ((Promotion.Wait) d).reason();
            throw new IllegalStateException("switchover refused: " + why + "; nothing was changed");
        }
        Server oldServer = servers().get(old);
        Server cand = servers().get(plan.candidate());
        long deadline = System.nanoTime() + ha.switchoverTimeout().toNanos();
        log.warn("Monitor {}: switchover from {} to {}", monitor.name(), oldServer.name(), cand.name());
        ServerState was = oldServer.state();
        monitor.publishNow(old, was.withFlags(was.flags() & ~ServerState.MASTER));
        Gtid written;
        SqlConnection oc;
        try {
            oc = admin(old, remaining(deadline));
            long graceEnd = System.nanoTime() + Math.min(TRX_GRACE_NANOS, ha.switchoverTimeout().toNanos() / 4);
            List<Long> open = ops.openTransactions(oc);
            while (!open.isEmpty() && System.nanoTime() < graceEnd) {
                Thread.sleep(20);
                open = ops.openTransactions(oc);
            }
            ops.readOnly(oldServer, oc);
            open = ops.openTransactions(oc);
            if (!open.isEmpty()) {
                log.warn("Monitor {}: switchover: {} connections on {} are still in a transaction; ending them: {}",
                        monitor.name(), open.size(), oldServer.name(), ops.describeTransactions(oc));
                ops.kill(oldServer, oc, open);
            }
            SqlConnection.Result r = oc.query("SELECT @@gtid_binlog_pos");
            written = Gtid.parse(r.rows().isEmpty() ? "" : r.rows().get(0)[0]);
        } catch (IOException | SqlException e) {
            undoDemotion(old, was);
            throw new IllegalStateException("switchover failed while demoting " + oldServer.name() + ": "
                    + e.getMessage() + "; it is the primary again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            undoDemotion(old, was);
            throw new IllegalStateException("switchover interrupted; " + oldServer.name() + " is the primary again");
        } finally {
            monitor.probes().get(old).endAdmin();
        }
        try {
            String msg = promote(nodes, new Promotion.Plan(plan.candidate(), written, plan.redirect()), old, deadline,
                    "switchover");
            switchovers.incrementAndGet();
            return msg;
        } catch (IllegalStateException e) {
            undoDemotion(old, was);
            throw new IllegalStateException(e.getMessage() + "; " + oldServer.name() + " is the primary again");
        }
    }

    private void undoDemotion(int old, ServerState was) {
        Server s = servers().get(old);
        try {
            SqlConnection c = admin(old, monitor.readTimeout());
            c.execute("SET GLOBAL read_only=0");
            log.warn("Monitor {}: {}: SET GLOBAL read_only=0 (switchover undone)", monitor.name(), s.name());
        } catch (IOException | SqlException e) {
            log.error("Monitor {}: could not make {} writable again: {}", monitor.name(), s.name(), e.getMessage());
        } finally {
            monitor.probes().get(old).endAdmin();
        }
        monitor.publishNow(old, was);
    }

    // ---- rejoin -------------------------------------------------------------------------------

    /** Makes server {@code i} a replica of the primary, if its GTID position allows it. */
    String rejoin(List<Topology.Node> nodes, int i, boolean manual) {
        int m = currentMaster();
        Server s = servers().get(i);
        if (m < 0) {
            throw new IllegalStateException("rejoin of " + s.name() + ": there is no primary to replicate from");
        }
        if (i == m) {
            throw new IllegalStateException("rejoin: " + s.name() + " is the primary");
        }
        Probe p = nodes.get(i).probe();
        Probe mp = nodes.get(m).probe();
        if (p == null || mp == null) {
            throw new IllegalStateException("rejoin of " + s.name() + ": " + (p == null ? s.name() : servers().get(m).name())
                    + " is not running");
        }
        if (manual && Promotion.linkTo(nodes, i, m) != null && servers().get(i).state().isSlave()) {
            return s.name() + " already replicates from " + servers().get(m).name();
        }
        String problem = Promotion.rejoinProblem(Gtid.parse(p.gtidCurrentPos()), Gtid.parse(mp.gtidCurrentPos()),
                mp.gtidBinlogState());
        if (problem != null) {
            throw new IllegalStateException("cannot rejoin " + s.name() + " to " + servers().get(m).name() + ": "
                    + problem + "; it is kept out of the cluster until it is repaired by hand");
        }
        try {
            SqlConnection c = admin(i, monitor.readTimeout());
            if (!p.readOnly()) {
                ops.readOnly(s, c);
            }
            ops.replicateFrom(s, c, servers().get(m), p.slaves());
        } catch (IOException | SqlException e) {
            throw new IllegalStateException("rejoin of " + s.name() + " failed: " + e.getMessage());
        } finally {
            monitor.probes().get(i).endAdmin();
        }
        rejoins.incrementAndGet();
        rejoinNotes.remove(s.name());
        String msg = "rejoin done: " + s.name() + " replicates from " + servers().get(m).name();
        log.warn("Monitor {}: {}", monitor.name(), msg);
        lastEvent = msg;
        return msg;
    }

    // ---- diagnostics --------------------------------------------------------------------------

    void diagnostics(Map<String, Object> m) {
        m.put("auto_failover", ha.autoFailover());
        m.put("auto_rejoin", ha.autoRejoin());
        m.put("failcount", ha.failcount());
        m.put("enforce_read_only_slaves", ha.enforceReadOnlySlaves());
        m.put("cooperative_monitoring_locks", ha.locks().name().toLowerCase(java.util.Locale.ROOT));
        m.put("primary", primaryMonitor);
        m.put("locks_held", locksHeld);
        m.put("failovers", failovers.get());
        m.put("switchovers", switchovers.get());
        m.put("rejoins", rejoins.get());
        m.put("last_event", lastEvent);
    }
}
