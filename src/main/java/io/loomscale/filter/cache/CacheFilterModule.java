package io.loomscale.filter.cache;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;

/** {@code module = "cache"}: a result cache for SELECTs; see {@link CacheFilter}. */
public final class CacheFilterModule implements FilterModule {
    @Override
    public String name() {
        return "cache";
    }

    @Override
    public Filter create(FilterConfig config) {
        return CacheFilter.create(config);
    }
}
