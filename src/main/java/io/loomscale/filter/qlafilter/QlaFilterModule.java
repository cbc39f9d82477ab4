package io.loomscale.filter.qlafilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;

/** {@code module = "qlafilter"}: MaxScale's query log all filter; see {@link QlaFilter}. */
public final class QlaFilterModule implements FilterModule {
    @Override
    public String name() {
        return "qlafilter";
    }

    @Override
    public Filter create(FilterConfig config) {
        return QlaFilter.create(config);
    }
}
