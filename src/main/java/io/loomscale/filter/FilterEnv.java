package io.loomscale.filter;

import java.util.Set;

/**
 * What a filter module may check its config against when it is created: the names of the
 * configured servers (namedserverfilter refuses a target that is not one of them).
 *
 * @param serverNames every {@code [server.NAME]} of the config
 */
public record FilterEnv(Set<String> serverNames) {
    public FilterEnv {
        serverNames = Set.copyOf(serverNames);
    }

    /** No servers known (unit tests, configs built in code). */
    public static FilterEnv empty() {
        return new FilterEnv(Set.of());
    }
}
