package io.loomscale.monitor;

import io.loomscale.protocol.Gtid;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The pure decisions of failover, switchover and rejoin: from what the monitor saw this tick
 * (the same {@link Topology.Node}s {@link Topology#resolve} reads) to a plan, or to the reason
 * there is none. No I/O; {@link ClusterOps} carries plans out.
 *
 * <p><b>Which replica is promoted.</b> Candidates are the running replicas of the old primary
 * (their replication connection names it) that are not in maintenance, not listed in
 * {@code servers_no_promotion}, write a binary log and replicate with GTID, whose SQL thread runs,
 * and whose IO thread was not stopped by hand ({@code Slave_IO_Running: No} means it stopped
 * fetching at some point before the failure, so nothing says it has all the primary's
 * transactions; {@code Connecting} is a replica that lost the primary and keeps trying). Of those,
 * the one that received the most ({@code Gtid_IO_Pos}, with its applied position) wins, ties go to
 * the earlier server in the config. A failover is refused, with the reason, when there is no
 * candidate, or when a replica that may not be promoted received more than every candidate
 * (promoting one would lose those transactions).
 */
final class Promotion {

    /** What to do about a failed primary. */
    sealed interface Decision permits Plan, Wait, Refused {
    }

    /**
     * Promote {@code candidate} once it applied {@code received}; then point {@code redirect} at it.
     *
     * @param candidate index of the replica to promote
     * @param received  what it has received from the old primary (its relay log), to apply first
     * @param redirect  indexes of the other servers to replicate from it
     */
    record Plan(int candidate, Gtid received, List<Integer> redirect) implements Decision {
    }

    /** Not yet: e.g. a replica still sees the primary (verify_master_failure). Try again next tick. */
    record Wait(String reason) implements Decision {
    }

    /** No safe failover; nothing is changed. */
    record Refused(String reason) implements Decision {
    }

    private Promotion() {
    }

    /** A server's replication connection to {@code source}, or null. */
    static Probe.SlaveStatus linkTo(List<Topology.Node> nodes, int self, int source) {
        Probe p = nodes.get(self).probe();
        if (p == null) {
            return null;
        }
        for (Probe.SlaveStatus s : p.slaves()) {
            if (Topology.findSource(nodes, self, s) == source) {
                return s;
            }
        }
        return null;
    }

    /** Running servers, not in maintenance, that replicate (or replicated) from {@code master}. */
    static List<Integer> replicasOf(List<Topology.Node> nodes, int master) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Topology.Node n = nodes.get(i);
            if (i != master && !n.maintenance() && n.probe() != null && linkTo(nodes, i, master) != null) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Failover of the primary {@code dead} (down this tick).
     *
     * @param verifyMasterFailure whether a replica still connected to it ({@code Slave_IO_Running:
     *                            Yes}) means it is not really down (MaxScale's {@code verify_master_failure})
     */
    static Decision failover(List<Topology.Node> nodes, int dead, Set<String> noPromotion,
            boolean verifyMasterFailure) {
        String deadName = nodes.get(dead).name();
        if (nodes.get(dead).probe() != null) {
            return new Refused(deadName + " answers; it is not down");
        }
        List<Integer> replicas = replicasOf(nodes, dead);
        if (replicas.isEmpty()) {
            return new Refused("no running replica of " + deadName + " to promote");
        }
        if (verifyMasterFailure) {
            for (int i : replicas) {
                Probe.SlaveStatus s = linkTo(nodes, i, dead);
                if (s.ioYes()) {
                    return new Wait(nodes.get(i).name() + " is still connected to " + deadName
                            + " (Slave_IO_Running: Yes)");
                }
            }
        }
        return choose(nodes, dead, replicas, noPromotion, null);
    }

    /**
     * Switchover from the running primary {@code master} to {@code wanted} (or, when it is -1,
     * the best candidate as for a failover).
     */
    static Decision switchover(List<Topology.Node> nodes, int master, int wanted, Set<String> noPromotion) {
        if (nodes.get(master).probe() == null) {
            return new Refused(nodes.get(master).name() + " is down: use failover");
        }
        List<Integer> replicas = replicasOf(nodes, master);
        if (wanted >= 0 && !replicas.contains(wanted)) {
            return new Refused(nodes.get(wanted).name() + " is not a running replica of " + nodes.get(master).name());
        }
        Decision d = choose(nodes, master, replicas, noPromotion, wanted >= 0 ? wanted : -1);
        if (d instanceof Plan p) {
            List<Integer> redirect = new ArrayList<>(p.redirect());
            redirect.add(master); // the old primary becomes a replica too
            return new Plan(p.candidate(), p.received(), redirect);
        }
        return d;
    }

    private static Decision choose(List<Topology.Node> nodes, int master, List<Integer> replicas,
            Set<String> noPromotion, Integer wanted) {
        StringBuilder why = new StringBuilder();
        int best = -1;
        Gtid bestPos = null;
        Gtid mostReceived = Gtid.EMPTY;
        int mostIndex = -1;
        for (int i : replicas) {
            Topology.Node n = nodes.get(i);
            Probe.SlaveStatus s = linkTo(nodes, i, master);
            Gtid pos = received(n.probe(), s);
            if (mostIndex < 0 || better(pos, mostReceived)) {
                mostReceived = pos;
                mostIndex = i;
            }
            String no = unfit(n, s, noPromotion);
            if (wanted != null && wanted >= 0 && i != wanted) {
                continue;
            }
            if (no != null) {
                why.append(why.isEmpty() ? "" : "; ").append(n.name()).append(": ").append(no);
                continue;
            }
            if (best < 0 || better(pos, bestPos)) {
                best = i;
                bestPos = pos;
            }
        }
        if (best < 0) {
            return new Refused("no replica can be promoted safely (" + why + ")");
        }
        // A failover can only give the new primary what it received; a switchover waits until it
        // has everything the old primary wrote, so there who received most does not matter.
        if (wanted == null && mostIndex != best && better(mostReceived, bestPos) && !bestPos.covers(mostReceived)) {
            return new Refused(nodes.get(mostIndex).name() + " received more from " + nodes.get(master).name()
                    + " (" + mostReceived + ") than " + nodes.get(best).name() + " (" + bestPos
                    + "), but may not be promoted" + (why.isEmpty() ? "" : " (" + why + ")"));
        }
        List<Integer> redirect = new ArrayList<>();
        for (int i : replicas) {
            if (i != best) {
                redirect.add(i);
            }
        }
        return new Plan(best, linkPos(linkTo(nodes, best, master)), redirect);
    }

    /** Why a replica may not be promoted, or null if it may. */
    static String unfit(Topology.Node n, Probe.SlaveStatus s, Set<String> noPromotion) {
        Probe p = n.probe();
        if (noPromotion.contains(n.name())) {
            return "listed in servers_no_promotion";
        }
        if (!p.logBin()) {
            return "it writes no binary log (log_bin is off)";
        }
        if ("No".equalsIgnoreCase(s.usingGtid()) || s.usingGtid().isEmpty()) {
            return "it does not replicate with GTID (Using_Gtid: No)";
        }
        if (!s.ioActive()) {
            return "its IO thread was stopped (Slave_IO_Running: No), so it may not have all the data";
        }
        if (!s.sqlYes()) {
            return "its SQL thread is not running" + (s.lastError().isEmpty() ? "" : ": " + s.lastError());
        }
        return null;
    }

    /** What a replica has of its primary's transactions: received (relay log) or already applied. */
    static Gtid received(Probe p, Probe.SlaveStatus s) {
        return linkPos(s).merge(Gtid.parse(p.gtidCurrentPos()));
    }

    private static Gtid linkPos(Probe.SlaveStatus s) {
        return s == null ? Gtid.EMPTY : Gtid.parse(s.gtidIoPos());
    }

    /** Whether {@code a} is strictly further than {@code b}: more in total over the domains. */
    static boolean better(Gtid a, Gtid b) {
        return total(a) > total(b);
    }

    private static long total(Gtid g) {
        long t = 0;
        for (Gtid.Pos p : g.domains().values()) {
            t += p.sequence();
        }
        return t;
    }

    /**
     * Whether a server with position {@code joiner} can replicate from a primary at
     * {@code primary} without losing or repeating anything it knows of: in every domain the
     * joiner has, the primary is at least as far, and where both are at the same sequence number
     * the transaction came from the same server. Null when it can, else why not.
     */
    static String rejoinProblem(Gtid joiner, Gtid primary, String primaryBinlogState) {
        // The primary's binary log state names the last transaction of each (domain, server): if
        // the joiner's last transaction came from a server whose last one in the primary's log is
        // older, the joiner has transactions the primary never received (an old primary that
        // committed more than its replicas got before it died), whatever the sequence numbers say.
        for (var e : joiner.domains().entrySet()) {
            long seen = lastOf(primaryBinlogState, e.getKey(), e.getValue().server());
            if (seen >= 0 && seen < e.getValue().sequence()) {
                return "it has " + e.getKey() + "-" + e.getValue().server() + "-" + e.getValue().sequence()
                        + ", which the primary never received (its last from server " + e.getValue().server()
                        + " is " + e.getKey() + "-" + e.getValue().server() + "-" + seen + ")";
            }
        }
        return rejoinProblem(joiner, primary);
    }

    /** The sequence number of the last GTID of {@code domain} from {@code server} in a binlog state, or -1. */
    private static long lastOf(String state, long domain, long server) {
        long best = -1;
        for (String part : state == null ? new String[0] : state.split(",")) {
            String[] f = part.trim().split("-");
            if (f.length == 3) {
                try {
                    if (Long.parseLong(f[0]) == domain && Long.parseLong(f[1]) == server) {
                        best = Math.max(best, Long.parseLong(f[2]));
                    }
                } catch (NumberFormatException ignored) {
                    // not a GTID
                }
            }
        }
        return best;
    }

    private static String rejoinProblem(Gtid joiner, Gtid primary) {
        for (var e : joiner.domains().entrySet()) {
            Gtid.Pos mine = e.getValue();
            Gtid.Pos theirs = primary.domains().get(e.getKey());
            if (theirs == null || theirs.sequence() < mine.sequence()) {
                return "it has transactions the primary does not (" + e.getKey() + "-" + mine.server() + "-"
                        + mine.sequence() + " vs " + (theirs == null ? "none" : e.getKey() + "-" + theirs.server()
                        + "-" + theirs.sequence()) + ")";
            }
            if (theirs.sequence() == mine.sequence() && theirs.server() != mine.server()) {
                return "its last transaction in domain " + e.getKey() + " differs from the primary's ("
                        + e.getKey() + "-" + mine.server() + "-" + mine.sequence() + " vs " + e.getKey() + "-"
                        + theirs.server() + "-" + theirs.sequence() + ")";
            }
        }
        return null;
    }
}
