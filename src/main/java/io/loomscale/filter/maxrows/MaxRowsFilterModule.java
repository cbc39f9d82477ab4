package io.loomscale.filter.maxrows;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;

/** {@code module = "maxrows"}: limits the result sets clients get; see {@link MaxRowsFilter}. */
public final class MaxRowsFilterModule implements FilterModule {
    @Override
    public String name() {
        return "maxrows";
    }

    @Override
    public Filter create(FilterConfig config) {
        return MaxRowsFilter.create(config);
    }
}
