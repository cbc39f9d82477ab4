package io.loomscale.router.readwritesplit;

import io.loomscale.config.ServiceConfig;
import io.loomscale.monitor.Server;
import io.loomscale.router.Router;
import io.loomscale.router.RouterModule;

import java.util.List;
import java.util.function.Supplier;

/** The readwritesplit module: statement-level read/write splitting, as MaxScale's. */
public final class ReadWriteSplitModule implements RouterModule {
    @Override
    public String name() {
        return "readwritesplit";
    }

    @Override
    public Router create(ServiceConfig config, Supplier<List<Server>> servers) {
        return new ReadWriteSplit(config.name(), RwsConfig.parse(config.params(), config.routerOptions()), servers);
    }
}
