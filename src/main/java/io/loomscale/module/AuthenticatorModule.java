package io.loomscale.module;

import io.loomscale.config.ServiceConfig;
import io.loomscale.monitor.Server;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An authenticator module, found by name through {@link java.util.ServiceLoader}.
 * Implementations need a public no-argument constructor.
 */
public interface AuthenticatorModule {
    String name();

    default Set<String> aliases() {
        return Set.of();
    }

    Authenticator create(ServiceConfig config, Supplier<List<Server>> servers);
}
