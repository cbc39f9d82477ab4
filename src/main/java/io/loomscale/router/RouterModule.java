package io.loomscale.router;

import io.loomscale.config.ServiceConfig;
import io.loomscale.monitor.Server;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A router module, found by name through {@link java.util.ServiceLoader} (from the jar or from
 * jars in {@code [loomscale] libdir}). Implementations need a public no-argument constructor.
 */
public interface RouterModule {
    /** The name used in {@code router = "..."}. */
    String name();

    /** Other accepted names (MaxScale's older spellings). */
    default Set<String> aliases() {
        return Set.of();
    }

    /**
     * Creates the router of one service; validates the service's router-specific keys
     * ({@code config.params()}) and {@code router_options}, throwing
     * {@link io.loomscale.config.ConfigException} for bad ones.
     *
     * @param servers the service's servers, current at each call (a monitor may change roles, not the list)
     */
    Router create(ServiceConfig config, Supplier<List<Server>> servers);
}
