package io.loomscale.filter.dbfwfilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;

/** {@code module = "dbfwfilter"}: the database firewall; see {@link DbFwFilter}. */
public final class DbFwFilterModule implements FilterModule {
    @Override
    public String name() {
        return "dbfwfilter";
    }

    @Override
    public Filter create(FilterConfig config) {
        return DbFwFilter.create(config);
    }
}
