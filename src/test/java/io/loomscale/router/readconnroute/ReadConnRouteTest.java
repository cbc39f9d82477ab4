package io.loomscale.router.readconnroute;

import io.loomscale.config.ConfigException;
import io.loomscale.config.ConfigLoader;
import io.loomscale.config.Params;
import io.loomscale.config.ServerConfig;
import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadConnRouteTest {
    private static final ServerState MASTER = new ServerState(ServerState.RUNNING | ServerState.MASTER, -1, 1, "", false, "", "");
    private static final ServerState SLAVE = new ServerState(ServerState.RUNNING | ServerState.SLAVE, 0, 2, "", true, "", "");
    private static final ServerState DOWN = new ServerState(0, -1, -1, "", false, "", "refused");
    private static final ServerState RUNNING = new ServerState(ServerState.RUNNING, -1, 3, "", false, "", "");

    private static Server server(String name, int weight, ServerState st, int connections) {
        Server s = new Server(new ServerConfig(name, "127.0.0.1", 3306, weight, 0, Duration.ZERO), st);
        for (int i = 0; i < connections; i++) {
            s.connectionOpened();
        }
        return s;
    }

    private static RoleMask roles(String options) {
        return RoleMask.parse(options, Params.empty());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "master, m",
        "slave, s2",          // s1 has more connections than s2
        "'master,slave', s2",  // any listed role; least loaded wins
        "running, s2",
        "'', s2",              // default is running
    })
    void picksTheLeastLoadedEligibleServer(String options, String expected) {
        List<Server> servers = List.of(server("m", 1, MASTER, 3), server("s1", 1, SLAVE, 2), server("s2", 1, SLAVE, 1),
                server("d", 1, DOWN, 0));
        assertEquals(expected, ReadConnRoute.choose(servers, roles(options)).name());
    }

    @Test
    void weightScalesTheLoad() {
        // 4 connections on weight 4 (load 5/4) beats 1 connection on weight 1 (load 2).
        List<Server> servers = List.of(server("a", 1, SLAVE, 1), server("b", 4, SLAVE, 4));
        assertEquals("b", ReadConnRoute.choose(servers, roles("slave")).name());
    }

    @Test
    void weightZeroIsUsedOnlyWhenNoWeightedServerIs() {
        List<Server> servers = List.of(server("a", 0, SLAVE, 0), server("b", 1, SLAVE, 100));
        assertEquals("b", ReadConnRoute.choose(servers, roles("slave")).name());
        List<Server> onlyZero = List.of(server("a", 0, SLAVE, 3), server("b", 1, DOWN, 0), server("c", 0, SLAVE, 1));
        assertEquals("c", ReadConnRoute.choose(onlyZero, roles("slave")).name());
    }

    @Test
    void slaveFallsBackToMasterWhenNoSlaveIsUp() {
        List<Server> servers = List.of(server("m", 1, MASTER, 0), server("s", 1, DOWN, 0));
        assertEquals("m", ReadConnRoute.choose(servers, roles("slave")).name());
    }

    @Test
    void maintenanceAndDrainingServersAreSkipped() {
        List<Server> servers = List.of(server("a", 1, SLAVE.withFlags(SLAVE.flags() | ServerState.MAINTENANCE), 0),
                server("b", 1, SLAVE.withFlags(SLAVE.flags() | ServerState.DRAIN), 0), server("c", 1, SLAVE, 9));
        assertEquals("c", ReadConnRoute.choose(servers, roles("slave")).name());
    }

    @Test
    void noEligibleServerGivesNull() {
        assertNull(ReadConnRoute.choose(List.of(server("d", 1, DOWN, 0), server("r", 1, RUNNING, 0)), roles("master")));
    }

    @Test
    void unknownRoleIsAConfigErrorNamingTheKey() {
        var cfg = ConfigLoader.parse("""
                [server.a]
                address = "127.0.0.1"
                [service.s]
                router = "readconnroute"
                router_options = "master,primary"
                servers = ["a"]
                user = "u"
                password = "p"
                """, "t.toml");
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ReadConnRouteModule().create(cfg.services().get("s"), List::of));
        assertTrue(e.getMessage().startsWith("t.toml:5: [service.s] key 'router_options': unknown role 'primary'"),
                e.getMessage());
    }
}
