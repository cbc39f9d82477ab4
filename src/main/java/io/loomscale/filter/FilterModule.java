package io.loomscale.filter;

import io.loomscale.config.FilterConfig;

/**
 * A filter module, found by name through {@link java.util.ServiceLoader} (from the jar or from
 * jars in {@code [loomscale] libdir}). Implementations need a public no-argument constructor.
 */
public interface FilterModule {
    /** The name used in {@code module = "..."}. */
    String name();

    /** Creates a filter; validates {@code config.params()}, throwing ConfigException for bad keys. */
    Filter create(FilterConfig config);

    /**
     * Creates a filter that may check its config against the rest of the config (servers); by
     * default the same as {@link #create(FilterConfig)}.
     */
    default Filter create(FilterConfig config, FilterEnv env) {
        return create(config);
    }
}
