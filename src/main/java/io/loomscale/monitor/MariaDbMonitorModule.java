package io.loomscale.monitor;

import io.loomscale.config.MonitorConfig;

import java.util.List;
import java.util.Set;

/** Registers {@link MariaDbMonitor} as {@code mariadbmon}, with MaxScale 2.1's name {@code mysqlmon} as an alias. */
public final class MariaDbMonitorModule implements MonitorModule {
    @Override
    public String name() {
        return "mariadbmon";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("mysqlmon");
    }

    @Override
    public Monitor create(MonitorConfig config, List<Server> servers) {
        return new MariaDbMonitor(config, servers);
    }

    @Override
    public Monitor create(MonitorConfig config, List<Server> servers, java.nio.file.Path datadir) {
        return new MariaDbMonitor(config, servers, datadir);
    }
}
