package io.loomscale.filter.masking;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;

/** {@code module = "masking"}: masks columns in result sets; see {@link MaskingFilter}. */
public final class MaskingFilterModule implements FilterModule {
    @Override
    public String name() {
        return "masking";
    }

    @Override
    public Filter create(FilterConfig config) {
        return MaskingFilter.create(config);
    }
}
