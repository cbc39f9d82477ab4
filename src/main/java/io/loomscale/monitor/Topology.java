package io.loomscale.monitor;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The pure part of {@link MariaDbMonitor}: from what each server answered (or did not) to
 * each server's new {@link ServerState}. No I/O, no clock, no threads; the monitor thread calls it
 * once per tick.
 *
 * <p>Rules, after MaxScale 2.1's mysqlmon:
 * <ul>
 * <li><b>Running</b>: the probe succeeded. A server that cannot be reached (or logged in to) is
 *     <b>Down</b> and has no role.</li>
 * <li>A replication link is a slave connection of a running server whose Master_Host/Master_Port
 *     name a monitored server (host names compared without DNS: equal ignoring case, equal IP
 *     literals, or both loopback: {@code localhost}, {@code 127.0.0.1}, {@code ::1}), or, failing
 *     that, whose Master_Server_Id is a monitored server's {@code @@server_id}.</li>
 * <li><b>Master</b> candidates are running, writable ({@code read_only=OFF}) servers not in
 *     maintenance that do not replicate from a running monitored server (no link with an IO
 *     thread that is running or connecting). The candidate with the most running slaves wins,
 *     then the earliest in config order. A candidate without slaves becomes Master only when it
 *     was Master before and {@code detect_stale_master} is on (a master that lost all its
 *     slaves stays master), or when it is the only monitored server.</li>
 * <li><b>Slave</b>: a running server with a link whose IO and SQL threads both run, to a running
 *     monitored server. With {@code detect_stale_slave} off, that server must be the Master or a
 *     Slave linked to it (the chain must reach a running master). With it on, a server that was
 *     a Slave keeps the role while its master is down and its SQL thread still runs.</li>
 * <li>Lag is Seconds_Behind_Master of the slave's link, -1 when NULL or not a slave.</li>
 * <li>A server in maintenance is not probed: it keeps its previous state plus the
 *     {@link ServerState#MAINTENANCE} flag, cannot become Master, and its slaves stay slaves only
 *     through {@code detect_stale_slave}.</li>
 * </ul>
 */
final class Topology {

    /** @param detectStaleMaster MaxScale {@code detect_stale_master}; @param detectStaleSlave {@code detect_stale_slave} */
    record Options(boolean detectStaleMaster, boolean detectStaleSlave) {
    }

    /**
     * One monitored server as seen this tick.
     *
     * @param name        server name
     * @param address     configured address
     * @param port        configured port
     * @param maintenance not probed: keep {@code previous}
     * @param previous    the state published after the last tick
     * @param probe       the probe's answer; null when the server could not be reached
     * @param error       why the probe failed ("" when it did not)
     */
    record Node(String name, String address, int port, boolean maintenance, ServerState previous, Probe probe,
            String error) {
        boolean running() {
            return maintenance ? previous.isRunning() : probe != null;
        }
    }

    private Topology() {
    }

    static List<ServerState> resolve(List<Node> nodes, Options options) {
        int n = nodes.size();
        // source[i][k]: the node that slave connection k of node i replicates from, or -1
        int[][] source = new int[n][];
        for (int i = 0; i < n; i++) {
            Probe p = nodes.get(i).probe();
            if (nodes.get(i).maintenance() || p == null) {
                source[i] = new int[0];
                continue;
            }
            source[i] = new int[p.slaves().size()];
            for (int k = 0; k < p.slaves().size(); k++) {
                source[i][k] = findSource(nodes, i, p.slaves().get(k));
            }
        }

        int master = chooseMaster(nodes, source, options);

        int[] flags = new int[n];
        long[] lag = new long[n];
        Arrays.fill(lag, -1);
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            if (!node.maintenance() && node.probe() != null) {
                flags[i] = ServerState.RUNNING;
            }
        }
        if (master >= 0) {
            flags[master] |= ServerState.MASTER;
        }
        assignSlaves(nodes, source, master, options, flags, lag);

        List<ServerState> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(stateOf(nodes.get(i), flags[i], lag[i]));
        }
        return out;
    }

    private static ServerState stateOf(Node node, int flags, long lag) {
        ServerState prev = node.previous();
        if (node.maintenance()) {
            return prev.withFlags(prev.flags() | ServerState.MAINTENANCE);
        }
        Probe p = node.probe();
        if (p == null) {
            // Keep what was last known of the server, for diagnostics; it has no role.
            return new ServerState(0, -1, prev.serverId(), prev.gtidCurrentPos(), prev.readOnly(), prev.version(),
                    node.error().isEmpty() ? "unreachable" : node.error());
        }
        return new ServerState(flags, (flags & ServerState.SLAVE) != 0 ? lag : -1, p.serverId(), p.gtidCurrentPos(),
                p.readOnly(), p.version(), "");
    }

    /** Which monitored node slave connection {@code s} of node {@code self} replicates from, or -1. */
    static int findSource(List<Node> nodes, int self, Probe.SlaveStatus s) {
        for (int j = 0; j < nodes.size(); j++) {
            Node c = nodes.get(j);
            if (j != self && c.port() == s.masterPort() && sameHost(s.masterHost(), c.address())) {
                return j;
            }
        }
        if (s.masterServerId() > 0) {
            for (int j = 0; j < nodes.size(); j++) {
                Node c = nodes.get(j);
                long id = c.probe() != null ? c.probe().serverId() : c.previous().serverId();
                if (j != self && id == s.masterServerId()) {
                    return j;
                }
            }
        }
        return -1;
    }

    /** Host names as written in CHANGE MASTER and in the config, compared without DNS. */
    static boolean sameHost(String a, String b) {
        String x = canonical(a);
        String y = canonical(b);
        return !x.isEmpty() && x.equals(y);
    }

    private static String canonical(String host) {
        String h = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost")) {
            return "loopback";
        }
        if (isIpLiteral(h)) {
            try {
                InetAddress a = InetAddress.getByName(h); // a literal: parsed, never looked up
                return a.isLoopbackAddress() ? "loopback" : a.getHostAddress();
            } catch (UnknownHostException e) {
                return h;
            }
        }
        return h;
    }

    private static boolean isIpLiteral(String h) {
        if (h.isEmpty()) {
            return false;
        }
        boolean colon = h.indexOf(':') >= 0;
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || c == '.' || (colon && (c == ':' || (c >= 'a' && c <= 'f')));
            if (!ok) {
                return false;
            }
        }
        return colon || h.chars().filter(ch -> ch == '.').count() == 3;
    }

    private static boolean isRunningSource(List<Node> nodes, int j) {
        return j >= 0 && nodes.get(j).running();
    }

    private static int chooseMaster(List<Node> nodes, int[][] source, Options options) {
        int n = nodes.size();
        int best = -1;
        int bestSlaves = 0;
        int stale = -1;
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            Probe p = node.probe();
            if (node.maintenance() || p == null || p.readOnly() || !p.replicationKnown()) {
                continue;
            }
            boolean replicating = false;
            for (int k = 0; k < source[i].length; k++) {
                if (isRunningSource(nodes, source[i][k]) && p.slaves().get(k).ioActive()) {
                    replicating = true;
                }
            }
            if (replicating) {
                continue;
            }
            candidates.add(i);
            int slaves = runningSlavesOf(nodes, source, i);
            if (slaves > bestSlaves) {
                best = i;
                bestSlaves = slaves;
            }
            if (stale < 0 && (node.previous().flags() & ServerState.MASTER) != 0) {
                stale = i;
            }
        }
        if (best >= 0) {
            return best;
        }
        if (options.detectStaleMaster() && stale >= 0) {
            return stale;
        }
        if (n == 1 && candidates.size() == 1) {
            return candidates.get(0);
        }
        return -1;
    }

    /** Running nodes replicating from {@code m} with both threads running. */
    private static int runningSlavesOf(List<Node> nodes, int[][] source, int m) {
        int count = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Probe p = nodes.get(i).probe();
            if (i == m || p == null || nodes.get(i).maintenance()) {
                continue;
            }
            for (int k = 0; k < source[i].length; k++) {
                Probe.SlaveStatus s = p.slaves().get(k);
                if (source[i][k] == m && s.ioYes() && s.sqlYes()) {
                    count++;
                    break;
                }
            }
        }
        return count;
    }

    private static void assignSlaves(List<Node> nodes, int[][] source, int master, Options options, int[] flags,
            long[] lag) {
        int n = nodes.size();
        // Repeat until nothing changes: with detect_stale_slave off, a slave of a slave qualifies
        // only once its own source does (a chain below the master).
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = 0; i < n; i++) {
                Node node = nodes.get(i);
                Probe p = node.probe();
                if ((flags[i] & (ServerState.SLAVE | ServerState.MASTER)) != 0 || p == null || node.maintenance()
                        || !p.replicationKnown()) {
                    continue;
                }
                for (int k = 0; k < source[i].length; k++) {
                    int j = source[i][k];
                    Probe.SlaveStatus s = p.slaves().get(k);
                    if (j < 0 || !s.sqlYes()) {
                        continue;
                    }
                    boolean ok;
                    if (s.ioYes() && nodes.get(j).running()) {
                        ok = options.detectStaleSlave() || j == master || (flags[j] & ServerState.SLAVE) != 0;
                    } else {
                        // Stale slave: its master is gone, but it was a slave and still applies.
                        ok = options.detectStaleSlave() && !nodes.get(j).running()
                                && (node.previous().flags() & ServerState.SLAVE) != 0;
                    }
                    if (ok) {
                        flags[i] |= ServerState.SLAVE;
                        lag[i] = s.secondsBehindMaster();
                        changed = true;
                        break;
                    }
                }
            }
        }
    }
}
