package io.loomscale.filter.hintfilter;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;
import io.loomscale.filter.FilterSession;
import io.loomscale.session.SessionContext;

import java.util.Set;

/**
 * {@code module = "hintfilter"}, so that MaxScale configurations that chain the hint filter in
 * front of readwritesplit load unchanged. In MaxScale the filter turns {@code -- maxscale ...}
 * comments into routing hints for the router; LoomScale's readwritesplit reads those comments
 * itself (with or without this filter), so the filter has nothing to do: it takes no keys, as
 * MaxScale's takes none, and is left out of each session's chain ({@link Filter#isPassThrough}).
 */
public final class HintFilterModule implements FilterModule {
    @Override
    public String name() {
        return "hintfilter";
    }

    @Override
    public Filter create(FilterConfig config) {
        config.params().rejectUnknown(Set.of());
        return new Filter() {
            @Override
            public FilterSession newSession(SessionContext ctx) {
                return (statement, next) -> next.route(statement); // never used: the chain leaves it out
            }

            @Override
            public boolean isPassThrough() {
                return true;
            }
        };
    }
}
