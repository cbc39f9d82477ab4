package io.loomscale.router.readwritesplit;

import io.loomscale.config.ConfigException;
import io.loomscale.config.ConfigLoader;
import io.loomscale.config.ServiceConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RwsConfigTest {
    private static ServiceConfig service(String extra) {
        return ConfigLoader.parse("""
                [server.a]
                address = "127.0.0.1"
                [service.s]
                router = "readwritesplit"
                servers = ["a"]
                user = "u"
                password = "p"
                """ + extra, "t.toml").services().get("s");
    }

    private static RwsConfig parse(String extra) {
        ServiceConfig s = service(extra);
        return RwsConfig.parse(s.params(), s.routerOptions());
    }

    @Test
    void defaultsAreMaxScale21s() {
        RwsConfig c = parse("");
        assertEquals(255, c.maxSlaveConnections());
        assertFalse(c.maxSlavePercent());
        assertEquals(-1, c.maxSlaveReplicationLag());
        assertFalse(c.variablesOnMasterOnly());
        assertEquals(RwsConfig.Criteria.LEAST_CURRENT_OPERATIONS, c.criteria());
        assertFalse(c.masterAcceptReads());
        assertEquals(RwsConfig.FailureMode.FAIL_INSTANTLY, c.masterFailureMode());
        assertTrue(c.retryFailedReads());
        assertTrue(c.strictMultiStmt());
        assertFalse(c.strictSpCalls());
        assertEquals(50, c.maxSescmdHistory());
        assertFalse(c.disableSescmdHistory());
        assertFalse(c.lazyConnect());
        assertEquals(RwsConfig.CausalReads.NONE, c.causalReads());
        assertEquals(Duration.ofSeconds(10), c.causalReadsTimeout());
    }

    @Test
    void keysInTheTable() {
        RwsConfig c = parse("""
                max_slave_connections = "50%"
                max_slave_replication_lag = 30
                use_sql_variables_in = "master"
                slave_selection_criteria = "ADAPTIVE_ROUTING"
                master_accept_reads = true
                master_failure_mode = "error_on_write"
                causal_reads = "global"
                causal_reads_timeout = "2s"
                lazy_connect = true
                """);
        assertEquals(50, c.maxSlaveConnections());
        assertTrue(c.maxSlavePercent());
        assertEquals(1, c.slaveLimit(2));
        assertEquals(2, c.slaveLimit(3), "50% of 3 rounds up");
        assertEquals(30, c.maxSlaveReplicationLag());
        assertTrue(c.variablesOnMasterOnly());
        assertEquals(RwsConfig.Criteria.ADAPTIVE_ROUTING, c.criteria());
        assertTrue(c.masterAcceptReads());
        assertEquals(RwsConfig.FailureMode.ERROR_ON_WRITE, c.masterFailureMode());
        assertEquals(RwsConfig.CausalReads.GLOBAL, c.causalReads());
        assertEquals(Duration.ofSeconds(2), c.causalReadsTimeout());
        assertTrue(c.lazyConnect());
    }

    @Test
    void failoverKeysFollowMaxScalesDefaultsAndImplications() {
        RwsConfig d = parse("");
        assertEquals(false, d.transactionReplay());
        assertEquals(false, d.delayedRetry());
        assertEquals(false, d.masterReconnection());
        assertEquals(java.time.Duration.ofSeconds(10), d.delayedRetryTimeout());
        assertEquals(1L << 20, d.transactionReplayMaxSize());
        assertEquals(true, d.transactionReplaySafeCommit());

        RwsConfig replay = parse("transaction_replay = true\ntransaction_replay_max_size = \"4Mi\"\n");
        assertEquals(true, replay.delayedRetry(), "transaction_replay turns on delayed_retry");
        assertEquals(true, replay.masterReconnection(), "and master_reconnection");
        assertEquals(4L << 20, replay.transactionReplayMaxSize());

        RwsConfig delayed = parse("delayed_retry = true\ndelayed_retry_timeout = \"30s\"\n");
        assertEquals(false, delayed.transactionReplay());
        assertEquals(true, delayed.masterReconnection());
        assertEquals(java.time.Duration.ofSeconds(30), delayed.delayedRetryTimeout());

        ConfigException e = assertThrows(ConfigException.class, () -> parse("transaction_replay_max_size = \"big\"\n"));
        assertTrue(e.getMessage().contains("transaction_replay_max_size"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("delayed_retry_timeout = 0\n"));
        assertTrue(e.getMessage().contains("delayed_retry_timeout"), e.getMessage());
    }

    @Test
    void routerOptionsAsIn21AndTheTableWins() {
        RwsConfig c = parse("""
                router_options = "slave_selection_criteria=LEAST_GLOBAL_CONNECTIONS, master_accept_reads=true, max_slave_connections=1"
                max_slave_connections = 2
                """);
        assertEquals(RwsConfig.Criteria.LEAST_GLOBAL_CONNECTIONS, c.criteria());
        assertTrue(c.masterAcceptReads());
        assertEquals(2, c.maxSlaveConnections());
        assertEquals(2, c.slaveLimit(5));
    }

    @Test
    void errorsNameFileLineKeyAndWhatIsAllowed() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("slave_selection_criteria = \"FASTEST\"\n"));
        assertTrue(e.getMessage().startsWith("t.toml:8: [service.s] key 'slave_selection_criteria': unknown value 'FASTEST'"),
                e.getMessage());
        assertTrue(e.getMessage().contains("least_current_operations"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("max_slave_conections = 1\n"));
        assertTrue(e.getMessage().contains("key 'max_slave_conections': unknown key for readwritesplit"), e.getMessage());
        assertTrue(e.getMessage().contains("max_slave_connections"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("router_options = \"master\"\n"));
        assertTrue(e.getMessage().contains("key 'router_options': 'master' is not a readwritesplit option"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("master_failure_mode = \"explode\"\n"));
        assertTrue(e.getMessage().contains("fail_instantly, fail_on_write, error_on_write"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("max_slave_connections = \"lots\"\n"));
        assertTrue(e.getMessage().contains("key 'max_slave_connections'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("use_sql_variables_in = \"slave\"\n"));
        assertTrue(e.getMessage().contains("all, master"), e.getMessage());
    }
}
