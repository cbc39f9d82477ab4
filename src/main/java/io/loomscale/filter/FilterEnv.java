package io.loomscale.filter;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.function.Function;

/**
 * What a filter module may check its config against when it is created, and find later: the
 * names of the configured servers (namedserverfilter refuses a target that is not one of them)
 * and services (tee refuses an unknown branch service), and where a service listens (tee's
 * branch connects there; asked at session time, when the listeners exist).
 *
 * @param serverNames  every {@code [server.NAME]} of the config
 * @param serviceNames every {@code [service.NAME]} of the config
 * @param listenerOf   a TCP address of a listener of the named service, or null if it has none
 */
public record FilterEnv(Set<String> serverNames, Set<String> serviceNames,
        Function<String, InetSocketAddress> listenerOf) {
    public FilterEnv {
        serverNames = Set.copyOf(serverNames);
        serviceNames = Set.copyOf(serviceNames);
    }

    public FilterEnv(Set<String> serverNames) {
        this(serverNames, Set.of(), s -> null);
    }

    /** Nothing known (unit tests, configs built in code). */
    public static FilterEnv empty() {
        return new FilterEnv(Set.of());
    }
}
