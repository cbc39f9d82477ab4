package io.loomscale.filter.tee;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterEnv;
import io.loomscale.filter.FilterModule;

/** {@code module = "tee"}: copies statements to another service; see {@link TeeFilter}. */
public final class TeeFilterModule implements FilterModule {
    @Override
    public String name() {
        return "tee";
    }

    @Override
    public Filter create(FilterConfig config) {
        return TeeFilter.create(config, FilterEnv.empty());
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) {
        return TeeFilter.create(config, env);
    }
}
