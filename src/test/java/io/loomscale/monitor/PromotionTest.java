package io.loomscale.monitor;

import io.loomscale.protocol.Gtid;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failover, switchover and rejoin decisions from what the monitor saw, without servers. */
class PromotionTest {
    private static final String HOST = "127.0.0.1";
    private static final ServerState WAS_MASTER = new ServerState(ServerState.MASTER | ServerState.RUNNING, -1, 1,
            "0-1-100", false, "", "");

    private static Probe.SlaveStatus link(String io, String sql, String ioPos, String using, String err) {
        return new Probe.SlaveStatus("", HOST, 3306, io, sql, 0, 1, ioPos, using, err);
    }

    private static Topology.Node replica(int n, Probe.SlaveStatus l, String current, boolean logBin) {
        Probe p = new Probe(n, true, current, "10.11", List.of(l), true, current, logBin, current);
        return new Topology.Node("server" + n, HOST, 3305 + n, false, ServerState.UNKNOWN, p, "");
    }

    private static Topology.Node replica(int n, String io, String ioPos) {
        return replica(n, link(io, "Yes", ioPos, "Slave_Pos", ""), "0-1-50", true);
    }

    private static Topology.Node deadPrimary() {
        return new Topology.Node("server1", HOST, 3306, false, WAS_MASTER, null, "Connection refused");
    }

    @Test
    void theReplicaThatReceivedMostIsPromotedAndTheOthersFollowIt() {
        List<Topology.Node> nodes = List.of(deadPrimary(), replica(2, "Connecting", "0-1-90"),
                replica(3, "Connecting", "0-1-95"));
        Promotion.Plan p = assertInstanceOf(Promotion.Plan.class, Promotion.failover(nodes, 0, Set.of(), true));
        assertEquals(2, p.candidate());
        assertEquals(Gtid.parse("0-1-95"), p.received());
        assertEquals(List.of(1), p.redirect());
    }

    @Test
    void tiesGoToTheEarlierServer() {
        List<Topology.Node> nodes = List.of(deadPrimary(), replica(2, "Connecting", "0-1-95"),
                replica(3, "Connecting", "0-1-95"));
        Promotion.Plan p = assertInstanceOf(Promotion.Plan.class, Promotion.failover(nodes, 0, Set.of(), true));
        assertEquals(1, p.candidate());
    }

    @Test
    void aReplicaStillConnectedToThePrimaryPostponesTheFailover() {
        List<Topology.Node> nodes = List.of(deadPrimary(), replica(2, "Yes", "0-1-95"), replica(3, "Connecting", "0-1-95"));
        Promotion.Wait w = assertInstanceOf(Promotion.Wait.class, Promotion.failover(nodes, 0, Set.of(), true));
        assertTrue(w.reason().contains("server2"), w.reason());
        assertInstanceOf(Promotion.Plan.class, Promotion.failover(nodes, 0, Set.of(), false));
    }

    @Test
    void replicasWhoseIoThreadsWereStoppedAreNotKnownToHaveAllTheData() {
        List<Topology.Node> nodes = List.of(deadPrimary(), replica(2, "No", "0-1-95"), replica(3, "No", "0-1-95"));
        Promotion.Refused r = assertInstanceOf(Promotion.Refused.class, Promotion.failover(nodes, 0, Set.of(), true));
        assertTrue(r.reason().contains("IO thread was stopped"), r.reason());
    }

    @Test
    void noPromotionListsBinlogAndGtidAreHonoured() {
        Topology.Node noBinlog = replica(2, link("Connecting", "Yes", "0-1-95", "Slave_Pos", ""), "0-1-95", false);
        Topology.Node noGtid = replica(3, link("Connecting", "Yes", "0-1-95", "No", ""), "0-1-95", true);
        Promotion.Refused r = assertInstanceOf(Promotion.Refused.class,
                Promotion.failover(List.of(deadPrimary(), noBinlog, noGtid), 0, Set.of(), true));
        assertTrue(r.reason().contains("log_bin") && r.reason().contains("GTID"), r.reason());

        List<Topology.Node> nodes = List.of(deadPrimary(), replica(2, "Connecting", "0-1-90"),
                replica(3, "Connecting", "0-1-90"));
        Promotion.Plan p = assertInstanceOf(Promotion.Plan.class, Promotion.failover(nodes, 0, Set.of("server2"), true));
        assertEquals(2, p.candidate());
    }

    @Test
    void aReplicaThatMayNotBePromotedButHasMoreDataBlocksTheFailover() {
        List<Topology.Node> nodes = List.of(deadPrimary(), replica(2, "Connecting", "0-1-99"),
                replica(3, "Connecting", "0-1-90"));
        Promotion.Refused r = assertInstanceOf(Promotion.Refused.class,
                Promotion.failover(nodes, 0, Set.of("server2"), true));
        assertTrue(r.reason().contains("server2 received more"), r.reason());
    }

    @Test
    void aBrokenSqlThreadRulesTheReplicaOut() {
        Topology.Node broken = replica(2, link("Connecting", "No", "0-1-99", "Slave_Pos", "Duplicate entry"), "0-1-80", true);
        List<Topology.Node> nodes = List.of(deadPrimary(), broken, replica(3, "Connecting", "0-1-99"));
        Promotion.Plan p = assertInstanceOf(Promotion.Plan.class, Promotion.failover(nodes, 0, Set.of(), true));
        assertEquals(2, p.candidate());
    }

    @Test
    void aRunningPrimaryIsNotFailedOver() {
        Probe alive = new Probe(1, false, "0-1-100", "10.11", List.of(), true);
        List<Topology.Node> nodes = List.of(new Topology.Node("server1", HOST, 3306, false, WAS_MASTER, alive, ""),
                replica(2, "Yes", "0-1-100"));
        assertInstanceOf(Promotion.Refused.class, Promotion.failover(nodes, 0, Set.of(), true));
    }

    @Test
    void switchoverRedirectsTheOldPrimaryToo() {
        Probe alive = new Probe(1, false, "0-1-100", "10.11", List.of(), true);
        List<Topology.Node> nodes = List.of(new Topology.Node("server1", HOST, 3306, false, WAS_MASTER, alive, ""),
                replica(2, "Yes", "0-1-100"), replica(3, "Yes", "0-1-100"));
        Promotion.Plan p = assertInstanceOf(Promotion.Plan.class, Promotion.switchover(nodes, 0, 2, Set.of()));
        assertEquals(2, p.candidate());
        assertEquals(List.of(1, 0), p.redirect());
        assertInstanceOf(Promotion.Refused.class, Promotion.switchover(nodes, 0, 0, Set.of()));
    }

    @Test
    void rejoinNeedsAHistoryThePrimaryContains() {
        assertNull(Promotion.rejoinProblem(Gtid.parse("0-1-100"), Gtid.parse("0-2-120"), "0-1-100,0-2-120"));
        assertNull(Promotion.rejoinProblem(Gtid.parse("0-1-100"), Gtid.parse("0-1-100"), "0-1-100"));
        assertTrue(Promotion.rejoinProblem(Gtid.parse("0-1-130"), Gtid.parse("0-2-120"), "0-2-120").contains("does not"));
        assertTrue(Promotion.rejoinProblem(Gtid.parse("0-1-120"), Gtid.parse("0-2-120"), "0-2-120").contains("differs"));
        assertTrue(Promotion.rejoinProblem(Gtid.parse("0-1-120"), Gtid.parse("0-2-120"), "0-1-90,0-2-120")
                .contains("never received"));
        assertTrue(Promotion.rejoinProblem(Gtid.parse("0-1-5,1-1-3"), Gtid.parse("0-2-120"), "0-2-120").contains("does not"));
        // The old primary wrote 0-1-100 and 0-1-101; the new one only got up to 0-1-100, then wrote its own.
        String problem = Promotion.rejoinProblem(Gtid.parse("0-1-101"), Gtid.parse("0-2-130"), "0-1-100,0-2-130");
        assertTrue(problem.contains("0-1-101") && problem.contains("never received"), problem);
    }
}
