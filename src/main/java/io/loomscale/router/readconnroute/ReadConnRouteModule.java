package io.loomscale.router.readconnroute;

import io.loomscale.config.ServiceConfig;
import io.loomscale.monitor.Server;
import io.loomscale.router.Router;
import io.loomscale.router.RouterModule;

import java.util.List;
import java.util.function.Supplier;

/** The readconnroute module: connection-level load balancing, as MaxScale's. */
public final class ReadConnRouteModule implements RouterModule {
    @Override
    public String name() {
        return "readconnroute";
    }

    @Override
    public Router create(ServiceConfig config, Supplier<List<Server>> servers) {
        config.params().rejectUnknown(java.util.Set.of());
        return new ReadConnRoute(config.name(), RoleMask.parse(config.routerOptions(), config.params()), servers);
    }
}
