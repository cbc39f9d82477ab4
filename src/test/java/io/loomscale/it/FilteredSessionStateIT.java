package io.loomscale.it;

import org.junit.jupiter.api.BeforeAll;

/** SessionStateIT's tests through the filtered service of {@link TestProxy#filtered()} (see FilteredQueryIT). */
class FilteredSessionStateIT extends SessionStateIT {
    @BeforeAll
    static void throughFilters() {
        proxy = TestProxy.filtered();
    }
}
