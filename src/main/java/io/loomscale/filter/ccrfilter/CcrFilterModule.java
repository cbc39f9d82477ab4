package io.loomscale.filter.ccrfilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;

/** {@code module = "ccrfilter"}: consistent critical reads; see {@link CcrFilter}. */
public final class CcrFilterModule implements FilterModule {
    @Override
    public String name() {
        return "ccrfilter";
    }

    @Override
    public Filter create(FilterConfig config) {
        return CcrFilter.create(config);
    }
}
