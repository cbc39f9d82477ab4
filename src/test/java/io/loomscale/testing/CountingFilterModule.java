package io.loomscale.testing;

import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;
import io.loomscale.protocol.PacketBuilder;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test filter module ({@code module = "test_counting"}), registered for the test classpath only:
 * counts the commands it sees and, when {@code rewrite_from}/{@code rewrite_to} are set, replaces
 * a matching COM_QUERY, so integration tests can prove statements really pass the chain.
 */
public final class CountingFilterModule implements FilterModule {
    public static final AtomicLong SEEN = new AtomicLong();

    @Override
    public String name() {
        return "test_counting";
    }

    @Override
    public Filter create(FilterConfig config) {
        config.params().rejectUnknown(Set.of("rewrite_from", "rewrite_to"));
        String from = config.params().string("rewrite_from", null);
        String to = config.params().string("rewrite_to", null);
        return ctx -> (st, next) -> {
            SEEN.incrementAndGet();
            if (from != null && from.equalsIgnoreCase(st.sql())) {
                st.packet(new PacketBuilder().int1(3).string(to).build(0));
            }
            next.route(st);
        };
    }
}
