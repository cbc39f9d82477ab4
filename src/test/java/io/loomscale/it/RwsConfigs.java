package io.loomscale.it;

import io.loomscale.testing.TestCluster;

import java.time.Duration;

/** TOML pieces for readwritesplit tests over the test cluster, and a wait for the monitor's roles. */
final class RwsConfigs {
    private RwsConfigs() {
    }

    static String servers(TestCluster cluster) {
        return TestProxy.clusterServers(cluster);
    }

    static String monitor() {
        return "[monitor.rwsmon]\nmodule = \"mariadbmon\"\nservers = [\"server1\", \"server2\", \"server3\"]\n"
                + TestCluster.serviceCredentialsToml() + "monitor_interval = \"300ms\"\n\n";
    }

    /** A readwritesplit service over the monitored cluster, with extra keys ({@code "key = value\n"...}). */
    static String service(String name, String extra) {
        return "[service." + name + "]\nrouter = \"readwritesplit\"\ncluster = \"rwsmon\"\n" + TestCluster.serviceCredentialsToml() + extra
                + "\n";
    }

    /**
     * After a test stopped and restarted servers: waits until the JVM's shared proxy (if other
     * tests started it) sees one primary and two replicas again, so the next test class finds
     * the cluster as it expects.
     */
    static void awaitSharedProxyRoles() {
        TestProxy shared = TestProxy.sharedIfStarted();
        if (shared != null) {
            awaitRoles(shared);
        }
    }

    /** Waits until the monitor has seen one primary and two replicas. */
    static void awaitRoles(TestProxy proxy) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (proxy.server("server1").state().isMaster() && proxy.server("server2").state().isSlave()
                    && proxy.server("server3").state().isSlave()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("monitor did not see primary + 2 replicas: " + proxy.server("server1").state()
                + ", " + proxy.server("server2").state() + ", " + proxy.server("server3").state());
    }
}
