package io.loomscale.cli;

import io.loomscale.config.ConfigException;
import io.loomscale.config.ConfigLoader;
import io.loomscale.config.LoomScaleConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code loomscale check -c FILE}: validates a configuration, modules included; exit 0 or 1. */
@Command(name = "check", mixinStandardHelpOptions = true, description = "Validate a configuration file and exit 0 (valid) or 1.")
final class CheckCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = Main.DEFAULT_CONFIG,
            description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        try {
            LoomScaleConfig cfg = ConfigLoader.load(config);
            io.loomscale.service.LoomScale.check(cfg, io.loomscale.module.Modules.load(cfg.global().libdir()));
            System.out.println(config + ": OK (" + cfg.servers().size() + " servers, " + cfg.monitors().size()
                    + " monitors, " + cfg.services().size() + " services, " + cfg.listeners().size() + " listeners, "
                    + cfg.filters().size() + " filters)");
            return 0;
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }
}
