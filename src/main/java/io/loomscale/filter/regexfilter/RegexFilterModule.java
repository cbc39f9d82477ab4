package io.loomscale.filter.regexfilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;

/** {@code module = "regexfilter"}: rewrites statement text; see {@link RegexFilter}. */
public final class RegexFilterModule implements FilterModule {
    @Override
    public String name() {
        return "regexfilter";
    }

    @Override
    public Filter create(FilterConfig config) {
        return RegexFilter.create(config);
    }
}
