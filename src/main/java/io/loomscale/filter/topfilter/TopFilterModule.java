package io.loomscale.filter.topfilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;

/** {@code module = "topfilter"}: the slowest statements of each session; see {@link TopFilter}. */
public final class TopFilterModule implements FilterModule {
    @Override
    public String name() {
        return "topfilter";
    }

    @Override
    public Filter create(FilterConfig config) {
        return TopFilter.create(config);
    }
}
