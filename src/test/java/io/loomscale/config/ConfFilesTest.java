package io.loomscale.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configuration files shipped in {@code conf/} load. Tests run from the project root. */
class ConfFilesTest {

    @Test
    void exampleConfigLoads() {
        LoomScaleConfig c = ConfigLoader.load(Path.of("conf/loomscale.toml"));

        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores, c.global().threads());
        assertEquals(List.of("db1", "db2", "db3"), List.copyOf(c.servers().keySet()));
        MonitorConfig monitor = c.monitors().get("cluster1");
        assertEquals("mariadbmon", monitor.module());
        assertEquals(List.of("db1", "db2", "db3"), monitor.servers());
        assertEquals("master", c.services().get("write-service").routerOptions());
        assertEquals("cluster1", c.services().get("write-service").cluster());
        assertEquals("slave", c.services().get("read-service").routerOptions());
        assertEquals(List.of("db1", "db2", "db3"), c.services().get("read-service").servers());
        assertEquals(4006, c.listeners().get("write-listener").port());
        assertEquals(4008, c.listeners().get("read-listener").port());
        assertEquals(Duration.ofHours(1), c.servers().get("db1").persistmaxtime());
    }

    @Test
    void sandboxConfigLoads() {
        LoomScaleConfig c = ConfigLoader.load(Path.of("conf/sandbox.toml"));

        assertEquals(1, c.global().threads());
        assertEquals(Path.of("tests-integration/.sandbox/log"), c.global().logdir());
        assertEquals(Path.of("tests-integration/.sandbox/data"), c.global().datadir());
        assertEquals(new ServerConfig("server1", "127.0.0.1", 13306, 1, 0, Duration.ZERO), c.servers().get("server1"));
        assertEquals(13307, c.servers().get("server2").port());
        assertEquals(13308, c.servers().get("server3").port());

        MonitorConfig monitor = c.monitors().get("cluster1");
        assertEquals("mariadbmon", monitor.module());
        assertEquals("loomscale", monitor.user());
        assertEquals("loomscale", monitor.password());
        assertEquals(Duration.ofSeconds(1), monitor.monitorInterval());

        ServiceConfig write = c.services().get("write-service");
        assertEquals("readconnroute", write.router());
        assertEquals("master", write.routerOptions());
        assertEquals("cluster1", write.cluster());
        assertEquals(List.of("server1", "server2", "server3"), write.servers());
        assertEquals("slave", c.services().get("read-service").routerOptions());

        assertEquals(new ListenerConfig("write-listener", "write-service", "127.0.0.1", 4008, null),
                c.listeners().get("write-listener"));
        assertEquals(new ListenerConfig("read-listener", "read-service", "127.0.0.1", 4009, null),
                c.listeners().get("read-listener"));
        assertNull(c.listeners().get("read-listener").socket());
    }
}
