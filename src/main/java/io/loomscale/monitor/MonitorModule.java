package io.loomscale.monitor;

import io.loomscale.config.MonitorConfig;

import java.util.List;
import java.util.Set;

/**
 * A monitor module, found by name through {@link java.util.ServiceLoader} (from the jar or from
 * jars in {@code [loomscale] libdir}). Implementations need a public no-argument constructor.
 */
public interface MonitorModule {
    String name();

    default Set<String> aliases() {
        return Set.of();
    }

    /** Creates a monitor over {@code servers} (in the config's order); validates module keys. */
    Monitor create(MonitorConfig config, List<Server> servers);

    /** As {@link #create(MonitorConfig, List)}, with the directory where a monitor may keep state over restarts. */
    default Monitor create(MonitorConfig config, List<Server> servers, java.nio.file.Path datadir) {
        return create(config, servers);
    }
}
