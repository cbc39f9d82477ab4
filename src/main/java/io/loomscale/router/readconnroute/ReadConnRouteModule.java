package io.loomscale.router.readconnroute;

import io.loomscale.config.ServiceConfig;
import io.loomscale.monitor.Server;
import io.loomscale.router.Router;
import io.loomscale.router.RouterModule;

import java.util.List;
import java.util.function.Supplier;

/** The readconnroute module: connection-level load balancing, as MaxScale's. */
public final class ReadConnRouteModule implements RouterModule {
    static final String SERVICE_KEYS = "cluster, connection_timeout, enable_root_user, filters, max_connections, "
            + "password, router, router_options, servers, user";

    @Override
    public String name() {
        return "readconnroute";
    }

    @Override
    public Router create(ServiceConfig config, Supplier<List<Server>> servers) {
        for (String key : config.params().keys()) {
            throw config.params().error(key, "unknown key", SERVICE_KEYS + " (readconnroute adds no keys of its own)");
        }
        return new ReadConnRoute(config.name(), RoleMask.parse(config.routerOptions(), config.params()), servers);
    }
}
