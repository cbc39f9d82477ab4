package io.loomscale.filter.namedserverfilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterEnv;
import io.loomscale.filter.FilterModule;

/** {@code module = "namedserverfilter"}: routes matching statements to a named server; see {@link NamedServerFilter}. */
public final class NamedServerFilterModule implements FilterModule {
    @Override
    public String name() {
        return "namedserverfilter";
    }

    @Override
    public Filter create(FilterConfig config) {
        return NamedServerFilter.create(config, FilterEnv.empty());
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) {
        return NamedServerFilter.create(config, env);
    }
}
