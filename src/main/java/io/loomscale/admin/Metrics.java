package io.loomscale.admin;

import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.net.LoadGauge;
import io.loomscale.service.Listener;
import io.loomscale.service.LoomScale;
import io.loomscale.service.Service;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Map;

/**
 * {@code GET /metrics}: the proxy's figures in Prometheus' text exposition format (version
 * 0.0.4), every name {@code loomscale_*} with its unit in the name ({@code _seconds},
 * {@code _bytes}, {@code _total} for counters). Per server: connections, statements routed,
 * connection errors, response-time histogram, state flags, replication lag; per service:
 * sessions and statements, and for readwritesplit the statements by route target; per listener:
 * accepted and refused connections; the JVM's heap, threads, GC and CPU time.
 *
 * <p>Built from the same counters as the JSON resources, on the request's thread; nothing is
 * kept between scrapes. Authentication failures are counted per service, not per listener.
 */
final class Metrics {
    private static final String[] STATES = {"running", "master", "slave", "maintenance", "drain"};
    private static final int[] STATE_FLAGS = {ServerState.RUNNING, ServerState.MASTER, ServerState.SLAVE,
            ServerState.MAINTENANCE, ServerState.DRAIN};

    private final LoomScale ls;
    private final long started = System.nanoTime();

    Metrics(LoomScale ls) {
        this.ls = ls;
    }

    String render() {
        StringBuilder sb = new StringBuilder(8192);
        head(sb, "loomscale_uptime_seconds", "gauge", "Seconds since the admin interface started with the proxy.");
        sample(sb, "loomscale_uptime_seconds", "", (System.nanoTime() - started) / 1e9);
        head(sb, "loomscale_sessions", "gauge", "Client sessions open now.");
        sample(sb, "loomscale_sessions", "", ls.sessions().size());
        servers(sb);
        services(sb);
        listeners(sb);
        jvm(sb);
        return sb.toString();
    }

    private void servers(StringBuilder sb) {
        Map<String, Server> servers = ls.servers();
        head(sb, "loomscale_server_connections", "gauge", "Connections open to the server now.");
        servers.values().forEach(s -> sample(sb, "loomscale_server_connections", server(s), s.connections()));
        head(sb, "loomscale_server_connections_total", "counter", "Connections opened to the server.");
        servers.values().forEach(s -> sample(sb, "loomscale_server_connections_total", server(s), s.totalConnections()));
        head(sb, "loomscale_server_statements_total", "counter", "Statements routed to the server.");
        servers.values().forEach(s -> sample(sb, "loomscale_server_statements_total", server(s), s.statements()));
        head(sb, "loomscale_server_errors_total", "counter",
                "Connections to the server that failed: login refused or impossible, or broken while in use.");
        servers.values().forEach(s -> sample(sb, "loomscale_server_errors_total", server(s), s.load().errors()));
        head(sb, "loomscale_server_active_operations", "gauge", "Replies the server owes now.");
        servers.values().forEach(s -> sample(sb, "loomscale_server_active_operations", server(s), s.load().operations()));
        head(sb, "loomscale_server_state", "gauge", "1 when the server has the state, else 0.");
        for (Server s : servers.values()) {
            int flags = s.state().flags();
            for (int i = 0; i < STATES.length; i++) {
                sample(sb, "loomscale_server_state", server(s) + ",state=\"" + STATES[i] + "\"",
                        (flags & STATE_FLAGS[i]) != 0 ? 1 : 0);
            }
        }
        head(sb, "loomscale_server_replication_lag_seconds", "gauge", "Replication lag the monitor saw; -1 unknown.");
        servers.values().forEach(s -> sample(sb, "loomscale_server_replication_lag_seconds", server(s),
                s.state().lagSeconds()));
        head(sb, "loomscale_server_response_time_seconds", "histogram",
                "Time from a command sent on an idle connection to the end of its reply.");
        for (Server s : servers.values()) {
            long[] h = s.load().histogram();
            long cumulative = 0;
            for (int i = 0; i < LoadGauge.BUCKETS.length; i++) {
                cumulative += h[i];
                sample(sb, "loomscale_server_response_time_seconds_bucket",
                        server(s) + ",le=\"" + LoadGauge.BUCKETS[i] + "\"", cumulative);
            }
            cumulative += h[h.length - 1];
            sample(sb, "loomscale_server_response_time_seconds_bucket", server(s) + ",le=\"+Inf\"", cumulative);
            sample(sb, "loomscale_server_response_time_seconds_sum", server(s), s.load().sumNanos() / 1e9);
            sample(sb, "loomscale_server_response_time_seconds_count", server(s), cumulative);
        }
    }

    private void services(StringBuilder sb) {
        Map<String, Service> services = ls.services();
        head(sb, "loomscale_service_sessions", "gauge", "Sessions of the service open now.");
        services.values().forEach(s -> sample(sb, "loomscale_service_sessions", service(s), s.activeSessions()));
        head(sb, "loomscale_service_sessions_total", "counter", "Sessions the service has started.");
        services.values().forEach(s -> sample(sb, "loomscale_service_sessions_total", service(s), s.totalSessions()));
        head(sb, "loomscale_service_statements_total", "counter", "Statements the service's sessions routed.");
        services.values().forEach(s -> sample(sb, "loomscale_service_statements_total", service(s), s.statements()));
        head(sb, "loomscale_service_auth_failures_total", "counter",
                "Logins the service refused (all its listeners together).");
        services.values().forEach(s -> sample(sb, "loomscale_service_auth_failures_total", service(s), s.authFailures()));
        head(sb, "loomscale_service_routed_statements_total", "counter",
                "Statements by route target (readwritesplit): master, slave, or all backends.");
        for (Service s : services.values()) {
            Map<String, Object> d = s.router().diagnostics();
            for (String target : new String[] {"master", "slave", "all"}) {
                if (d.get("route_" + target) instanceof Number n) {
                    sample(sb, "loomscale_service_routed_statements_total", service(s) + ",target=\"" + target + "\"",
                            n.longValue());
                }
            }
        }
    }

    private void listeners(StringBuilder sb) {
        Map<String, Listener> listeners = ls.listeners();
        head(sb, "loomscale_listener_accepted_connections_total", "counter", "Client connections the listener accepted.");
        listeners.values().forEach(l -> sample(sb, "loomscale_listener_accepted_connections_total", listener(l), l.accepted()));
        head(sb, "loomscale_listener_refused_connections_total", "counter",
                "Client connections refused at max_connections.");
        listeners.values().forEach(l -> sample(sb, "loomscale_listener_refused_connections_total", listener(l), l.refused()));
    }

    private static void jvm(StringBuilder sb) {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        head(sb, "loomscale_jvm_heap_used_bytes", "gauge", "Heap in use.");
        sample(sb, "loomscale_jvm_heap_used_bytes", "", mem.getHeapMemoryUsage().getUsed());
        head(sb, "loomscale_jvm_heap_max_bytes", "gauge", "Largest heap the JVM may use.");
        sample(sb, "loomscale_jvm_heap_max_bytes", "", mem.getHeapMemoryUsage().getMax());
        head(sb, "loomscale_jvm_platform_threads", "gauge", "Platform (OS) threads of the JVM.");
        sample(sb, "loomscale_jvm_platform_threads", "", ManagementFactory.getThreadMXBean().getThreadCount());
        head(sb, "loomscale_jvm_gc_collections_total", "counter", "Garbage collections.");
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        sample(sb, "loomscale_jvm_gc_collections_total", "", count);
        head(sb, "loomscale_jvm_gc_seconds_total", "counter", "Time spent in garbage collection.");
        sample(sb, "loomscale_jvm_gc_seconds_total", "", millis / 1000.0);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            head(sb, "loomscale_process_cpu_seconds_total", "counter", "CPU time used by the process.");
            sample(sb, "loomscale_process_cpu_seconds_total", "", os.getProcessCpuTime() / 1e9);
        }
    }

    private static String server(Server s) {
        return "server=\"" + escape(s.name()) + "\"";
    }

    private static String service(Service s) {
        return "service=\"" + escape(s.name()) + "\"";
    }

    private static String listener(Listener l) {
        return "listener=\"" + escape(l.name()) + "\"";
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void head(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder sb, String name, String labels, double value) {
        sb.append(name);
        if (!labels.isEmpty()) {
            sb.append('{').append(labels).append('}');
        }
        sb.append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            sb.append((long) value);
        } else {
            sb.append(value);
        }
        sb.append('\n');
    }
}
