package io.loomscale.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A whole validated configuration: the global settings and every object by name.
 *
 * <p>Immutable; every map is unmodifiable and iterates in file order. All cross references
 * were checked by {@link ConfigLoader}: every server, monitor, filter and service named
 * somewhere exists.
 *
 * @param file      file name as given to the loader, for messages
 * @param global    the {@code [loomscale]} table (defaults when absent)
 * @param servers   {@code [server.NAME]} tables by NAME
 * @param monitors  {@code [monitor.NAME]} tables by NAME
 * @param services  {@code [service.NAME]} tables by NAME
 * @param listeners {@code [listener.NAME]} tables by NAME
 * @param filters   {@code [filter.NAME]} tables by NAME
 * @param keyLines  line of each table and key that was in the file, by key path such as
 *                  {@code listener.rw} or {@code listener.rw.port}; see {@link #where(String)}
 */
public record LoomScaleConfig(String file, GlobalConfig global, Map<String, ServerConfig> servers,
        Map<String, MonitorConfig> monitors, Map<String, ServiceConfig> services,
        Map<String, ListenerConfig> listeners, Map<String, FilterConfig> filters, Map<String, Integer> keyLines) {

    public LoomScaleConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(global, "global");
        servers = ordered(servers);
        monitors = ordered(monitors);
        services = ordered(services);
        listeners = ordered(listeners);
        filters = ordered(filters);
        keyLines = Map.copyOf(keyLines);
    }

    /** A configuration built in code (tests, runtime changes): no line information. */
    public LoomScaleConfig(String file, GlobalConfig global, Map<String, ServerConfig> servers,
            Map<String, MonitorConfig> monitors, Map<String, ServiceConfig> services,
            Map<String, ListenerConfig> listeners, Map<String, FilterConfig> filters) {
        this(file, global, servers, monitors, services, listeners, filters, Map.of());
    }

    /**
     * {@code "file:line"} of a key path such as {@code listener.rw.port}, for messages about
     * problems found after loading (a port that cannot be bound). A key that was not written
     * in the file (its default was used) gives the line of its table header; a path not in
     * the file at all gives just the file name.
     */
    public String where(String keyPath) {
        String path = keyPath;
        while (path != null) {
            Integer line = keyLines.get(path);
            if (line != null && line > 0) {
                return file + ":" + line;
            }
            int dot = path.lastIndexOf('.');
            path = dot < 0 ? null : path.substring(0, dot);
        }
        return file;
    }

    private static <V> Map<String, V> ordered(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
