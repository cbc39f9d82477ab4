package io.loomscale.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static io.loomscale.monitor.ServerState.MAINTENANCE;
import static io.loomscale.monitor.ServerState.MASTER;
import static io.loomscale.monitor.ServerState.RUNNING;
import static io.loomscale.monitor.ServerState.SLAVE;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TopologyTest {
    private static final Topology.Options DEFAULTS = new Topology.Options(true, true);
    private static final Topology.Options STRICT = new Topology.Options(false, false);
    private static final String HOST = "127.0.0.1";

    private static Probe.SlaveStatus link(String host, int port, String io, String sql, long behind) {
        return new Probe.SlaveStatus("", host, port, io, sql, behind, 0, "0-1-10", "Slave_Pos", "");
    }

    private static Probe.SlaveStatus replicating(int port, long behind) {
        return link(HOST, port, "Yes", "Yes", behind);
    }

    private static Probe probe(long id, boolean readOnly, Probe.SlaveStatus... links) {
        return new Probe(id, readOnly, "0-1-10", "10.11.19-MariaDB", List.of(links), true);
    }

    private static ServerState was(int flags) {
        return new ServerState(flags, -1, -1, "", false, "", "");
    }

    private static Topology.Node up(int n, Probe p) {
        return up(n, p, ServerState.UNKNOWN);
    }

    private static Topology.Node up(int n, Probe p, ServerState previous) {
        return new Topology.Node("server" + n, HOST, 3305 + n, false, previous, p, "");
    }

    private static Topology.Node down(int n, ServerState previous) {
        return new Topology.Node("server" + n, HOST, 3305 + n, false, previous, null, "Connection refused");
    }

    private static Topology.Node maintenance(int n, ServerState previous) {
        return new Topology.Node("server" + n, HOST, 3305 + n, true, previous, null, "");
    }

    private static List<Integer> flags(List<Topology.Node> nodes, Topology.Options o) {
        List<Integer> out = new ArrayList<>();
        for (ServerState s : Topology.resolve(nodes, o)) {
            out.add(s.flags());
        }
        return out;
    }

    /** server1 on 3306 writable, server2/3 read-only replicas of it. */
    private static List<Topology.Node> healthy() {
        return List.of(up(1, probe(1, false)), up(2, probe(2, true, replicating(3306, 0))),
                up(3, probe(3, true, replicating(3306, 7))));
    }

    @Test
    void masterWithTwoSlaves() {
        List<ServerState> s = Topology.resolve(healthy(), DEFAULTS);
        assertEquals("Master, Running", s.get(0).describe());
        assertEquals("Slave, Running", s.get(1).describe());
        assertEquals("Slave, Running", s.get(2).describe());
        assertEquals(-1, s.get(0).lagSeconds());
        assertEquals(0, s.get(1).lagSeconds());
        assertEquals(7, s.get(2).lagSeconds());
        assertEquals(2, s.get(1).serverId());
        assertEquals(true, s.get(1).readOnly());
        assertEquals("10.11.19-MariaDB", s.get(0).version());
    }

    @ParameterizedTest(name = "IO {0}, SQL {1}: flags {2}")
    @CsvSource({"No, Yes, 1", "Connecting, Yes, 1", "Yes, No, 1", "Yes, Yes, 5"})
    void slaveNeedsBothThreadsWhileItsMasterRuns(String io, String sql, int expected) {
        List<Topology.Node> nodes = List.of(up(1, probe(1, false)), up(2, probe(2, true, replicating(3306, 0))),
                up(3, probe(3, true, link(HOST, 3306, io, sql, -1)), was(RUNNING | SLAVE)));
        List<Integer> f = flags(nodes, DEFAULTS);
        assertEquals(RUNNING | MASTER, f.get(0));
        assertEquals(expected, f.get(2));
    }

    @Test
    void primaryDownLeavesStaleSlavesWithDetectStaleSlave() {
        ServerState slave = was(RUNNING | SLAVE);
        List<Topology.Node> nodes = List.of(down(1, was(RUNNING | MASTER)),
                up(2, probe(2, true, link(HOST, 3306, "Connecting", "Yes", -1)), slave),
                up(3, probe(3, true, link(HOST, 3306, "Connecting", "Yes", -1)), slave));
        List<ServerState> s = Topology.resolve(nodes, DEFAULTS);
        assertEquals("Down", s.get(0).describe());
        assertEquals("Connection refused", s.get(0).lastError());
        assertEquals("Slave, Running", s.get(1).describe());
        assertEquals(-1, s.get(1).lagSeconds());
        assertEquals(List.of(0, RUNNING, RUNNING), flags(nodes, STRICT));
    }

    @Test
    void staleSlaveMustHaveBeenASlave() {
        List<Topology.Node> nodes = List.of(down(1, ServerState.UNKNOWN),
                up(2, probe(2, true, link(HOST, 3306, "Connecting", "Yes", -1))));
        assertEquals(List.of(0, RUNNING), flags(nodes, DEFAULTS));
    }

    @Test
    void downServerKeepsWhatWasKnown() {
        ServerState before = new ServerState(RUNNING | MASTER, -1, 1, "0-1-99", false, "10.11.19-MariaDB", "");
        ServerState after = Topology.resolve(List.of(down(1, before)), DEFAULTS).get(0);
        assertEquals(0, after.flags());
        assertEquals(1, after.serverId());
        assertEquals("10.11.19-MariaDB", after.version());
        assertEquals(-1, after.lagSeconds());
    }

    @Test
    void writableServerWithSlavesBeatsAStandaloneOne() {
        List<Topology.Node> nodes = List.of(up(1, probe(1, false)), up(2, probe(2, false)),
                up(3, probe(3, true, replicating(3307, 1))));
        assertEquals(List.of(RUNNING, RUNNING | MASTER, RUNNING | SLAVE), flags(nodes, DEFAULTS));
    }

    @Test
    void twoWritableServersWithEqualSlavesPickConfigOrder() {
        List<Topology.Node> nodes = List.of(up(1, probe(1, false)), up(2, probe(2, false)),
                up(3, probe(3, true, replicating(3306, 0))), up(4, probe(4, true, replicating(3307, 0))));
        assertEquals(List.of(RUNNING | MASTER, RUNNING, RUNNING | SLAVE, RUNNING | SLAVE), flags(nodes, DEFAULTS));
        assertEquals(List.of(RUNNING | MASTER, RUNNING, RUNNING | SLAVE, RUNNING), flags(nodes, STRICT));
    }

    @Test
    void writableReplicaIsNotAMasterCandidate() {
        List<Topology.Node> nodes = List.of(up(1, probe(1, false)), up(2, probe(2, false, replicating(3306, 0))));
        assertEquals(List.of(RUNNING | MASTER, RUNNING | SLAVE), flags(nodes, DEFAULTS));
    }

    @Test
    void twoWritableServersWithoutSlavesHaveNoMasterUnlessOneWasMaster() {
        List<Topology.Node> fresh = List.of(up(1, probe(1, false)), up(2, probe(2, false)));
        assertEquals(List.of(RUNNING, RUNNING), flags(fresh, DEFAULTS));
        List<Topology.Node> known = List.of(up(1, probe(1, false)), up(2, probe(2, false), was(RUNNING | MASTER)));
        assertEquals(List.of(RUNNING, RUNNING | MASTER), flags(known, DEFAULTS));
        assertEquals(List.of(RUNNING, RUNNING), flags(known, STRICT));
    }

    @Test
    void masterThatLostItsSlavesStaysMasterWithDetectStaleMaster() {
        ServerState master = was(RUNNING | MASTER);
        List<Topology.Node> nodes = List.of(up(1, probe(1, false), master), down(2, was(RUNNING | SLAVE)),
                up(3, probe(3, true, link(HOST, 3306, "No", "No", -1)), was(RUNNING | SLAVE)));
        assertEquals(List.of(RUNNING | MASTER, 0, RUNNING), flags(nodes, DEFAULTS));
        assertEquals(List.of(RUNNING, 0, RUNNING), flags(nodes, STRICT));
    }

    @Test
    void readOnlyPrimaryIsNotMasterEvenWithDetectStaleMaster() {
        List<Topology.Node> nodes = List.of(up(1, probe(1, true), was(RUNNING | MASTER)),
                up(2, probe(2, true, replicating(3306, 0)), was(RUNNING | SLAVE)),
                up(3, probe(3, true, replicating(3306, 0)), was(RUNNING | SLAVE)));
        // The replicas still replicate from a running monitored server: slaves, with no master.
        assertEquals(List.of(RUNNING, RUNNING | SLAVE, RUNNING | SLAVE), flags(nodes, DEFAULTS));
        assertEquals(List.of(RUNNING, RUNNING, RUNNING), flags(nodes, STRICT));
    }

    @Test
    void singleWritableServerIsMaster() {
        assertEquals(List.of(RUNNING | MASTER), flags(List.of(up(1, probe(1, false))), STRICT));
        assertEquals(List.of(RUNNING), flags(List.of(up(1, probe(1, true))), DEFAULTS));
    }

    @Test
    void relayChainMakesBothReplicasSlaves() {
        List<Topology.Node> nodes = List.of(up(1, probe(1, false)), up(2, probe(2, true, replicating(3306, 2))),
                up(3, probe(3, true, replicating(3307, 4))));
        assertEquals(List.of(RUNNING | MASTER, RUNNING | SLAVE, RUNNING | SLAVE), flags(nodes, STRICT));
        assertEquals(4, Topology.resolve(nodes, STRICT).get(2).lagSeconds());
    }

    @ParameterizedTest(name = "Master_Host {0}:{1} names server1 at 127.0.0.1:3306: {2}")
    @CsvSource({"127.0.0.1, 3306, true", "localhost, 3306, true", "LocalHost, 3306, true", "::1, 3306, true",
            "[::1], 3306, true", "127.0.0.1, 3307, false", "10.0.0.1, 3306, false", "db1, 3306, false"})
    void masterHostIsMatchedWithoutDns(String host, int port, boolean matches) {
        List<Topology.Node> nodes = List.of(up(1, probe(1, false)), up(2, probe(2, true)));
        assertEquals(matches ? 0 : -1, Topology.findSource(nodes, 1, link(host, port, "Yes", "Yes", 0)));
    }

    @Test
    void unresolvableMasterHostFallsBackToMasterServerId() {
        List<Topology.Node> nodes = List.of(up(1, probe(11, false)),
                up(2, probe(12, true, new Probe.SlaveStatus("", "db1.internal", 3306, "Yes", "Yes", 0, 11, "", "No",
                        ""))));
        assertEquals(List.of(RUNNING | MASTER, RUNNING | SLAVE), flags(nodes, DEFAULTS));
    }

    @Test
    void slaveOfAnUnmonitoredServerHasNoRole() {
        List<Topology.Node> nodes = List.of(up(1, probe(1, false)),
                up(2, probe(2, true, link("10.9.9.9", 3306, "Yes", "Yes", 0))));
        assertEquals(List.of(RUNNING, RUNNING), flags(nodes, DEFAULTS));
    }

    @Test
    void unknownReplicationStatusGivesNoRole() {
        Probe blind = new Probe(1, false, "", "10.11", List.of(), false);
        List<Topology.Node> nodes = List.of(up(1, blind), up(2, probe(2, true, replicating(3306, 0))));
        assertEquals(List.of(RUNNING, RUNNING | SLAVE), flags(nodes, DEFAULTS));
    }

    @Test
    void maintenanceServerKeepsItsStateAndTheFlag() {
        ServerState slave = new ServerState(RUNNING | SLAVE, 3, 2, "0-1-5", true, "v", "");
        List<Topology.Node> nodes = List.of(up(1, probe(1, false)), maintenance(2, slave),
                up(3, probe(3, true, replicating(3306, 0))));
        List<ServerState> s = Topology.resolve(nodes, DEFAULTS);
        assertEquals(RUNNING | MASTER, s.get(0).flags());
        assertEquals(RUNNING | SLAVE | MAINTENANCE, s.get(1).flags());
        assertEquals(3, s.get(1).lagSeconds());
        assertEquals(RUNNING | SLAVE, s.get(2).flags());
    }

    @Test
    void masterInMaintenanceCannotBeChosenButItsReplicasStaySlaves() {
        List<Topology.Node> nodes = List.of(maintenance(1, was(RUNNING | MASTER)),
                up(2, probe(2, true, replicating(3306, 0)), was(RUNNING | SLAVE)));
        assertEquals(List.of(RUNNING | MASTER | MAINTENANCE, RUNNING | SLAVE), flags(nodes, DEFAULTS));
        assertEquals(List.of(RUNNING | MASTER | MAINTENANCE, RUNNING), flags(nodes, STRICT));
    }
}
