package io.loomscale.cli;

import io.loomscale.config.ConfigException;
import io.loomscale.config.ConfigLoader;
import io.loomscale.config.LoomScaleConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The command line, and the only place that wires everything: {@code loomscale -c FILE} runs the
 * proxy in the foreground until SIGTERM or Ctrl-C; {@code loomscale check -c FILE} validates a
 * config; {@code keys} and {@code passwd} make the key file and encrypted passwords. Logging and
 * the virtual-thread scheduler are configured from the config file before the first logger or
 * virtual thread exists (both read system properties once).
 */
@Command(name = "loomscale", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A MariaDB/MySQL database proxy.", subcommands = {CheckCommand.class,
                io.loomscale.convert.ConvertCommand.class, io.loomscale.cli.ctl.CtlCommand.class, KeysCommand.class,
                PasswdCommand.class})
public final class Main implements Callable<Integer> {
    static final String DEFAULT_CONFIG = "/etc/loomscale/loomscale.toml";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration file (default: ${DEFAULT-VALUE}).",
            defaultValue = DEFAULT_CONFIG)
    Path config;

    @Option(names = {"--shutdown-timeout"}, paramLabel = "SECONDS", defaultValue = "5",
            description = "How long to let sessions end on shutdown before closing them (default: ${DEFAULT-VALUE}).")
    int shutdownTimeout;

    enum LogTarget { file, stderr }

    @Option(names = {"--log"}, paramLabel = "file|stderr", defaultValue = "file",
            description = "Where the log goes: logdir/loomscale.log (rotated on SIGUSR1 and by size) or standard error (default: ${DEFAULT-VALUE}).")
    LogTarget logTarget;

    @Option(names = {"--log-max-size"}, paramLabel = "MB", defaultValue = "100",
            description = "Rotate the log file when it passes this size in MiB; 0 = only on SIGUSR1 or request (default: ${DEFAULT-VALUE}).")
    long logMaxMb;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        LoomScaleConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("loomscale: " + e.getMessage());
            return 1;
        }
        // Before any logger exists: slf4j-simple reads its properties once.
        configureProcess(cfg);
        // Startup failures go to the terminal even when the log goes to a file.
        java.io.PrintStream console = System.err;
        io.loomscale.admin.LogFile logFile = null;
        if (logTarget == LogTarget.file) {
            try {
                logFile = io.loomscale.admin.LogFile.install(cfg.global().logdir(), logMaxMb << 20, cfg.global().logLevel());
            } catch (java.io.IOException | RuntimeException e) {
                System.err.println("loomscale: " + cfg.where("loomscale.logdir") + ": cannot write the log file in "
                        + cfg.global().logdir() + ": " + e + "; allowed: a writable directory, or --log=stderr");
                return 1;
            }
            logFile.rotateOnSigusr1();
        }
        try {
            // The objects changed at run time by an earlier process replace the file's ([loomscale] is the file's).
            cfg = io.loomscale.admin.RuntimeConfig.withPersisted(cfg);
        } catch (ConfigException e) {
            console.println("loomscale: " + e.getMessage());
            return 1;
        }
        return Runner.run(cfg, shutdownTimeout, logFile, console);
    }

    /** Sets logging and scheduler properties unless the user set them with -D. */
    static void configureProcess(LoomScaleConfig cfg) {
        String level = switch (cfg.global().logLevel().toLowerCase(Locale.ROOT)) {
            case "notice" -> "info";
            case "warn", "warning" -> "warn";
            default -> cfg.global().logLevel().toLowerCase(Locale.ROOT);
        };
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "true");
        setIfAbsent("jdk.virtualThreadScheduler.parallelism", Integer.toString(cfg.global().sessionThreads()));
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Keeps the wiring out of the picocli class so nothing logs before properties are set. */
    static final class Runner {
        static int run(LoomScaleConfig cfg, int shutdownSeconds, io.loomscale.admin.LogFile logFile,
                java.io.PrintStream console) throws Exception {
            org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("loomscale");
            io.loomscale.module.Modules modules = io.loomscale.module.Modules.load(cfg.global().libdir());
            io.loomscale.service.LoomScale ls;
            try {
                ls = io.loomscale.service.LoomScale.build(cfg, modules);
            } catch (ConfigException e) {
                console.println("loomscale: " + e.getMessage());
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<io.loomscale.admin.AdminServer> admin =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread hook = new Thread(() -> {
                io.loomscale.admin.AdminServer a = admin.get();
                if (a != null) {
                    a.close();
                }
                ls.stop(java.time.Duration.ofSeconds(shutdownSeconds));
                stopped.countDown();
            }, "shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                ls.start();
            } catch (io.loomscale.service.Listener.ListenException e) {
                console.println("loomscale: " + e.getMessage());
                Runtime.getRuntime().removeShutdownHook(hook);
                return 1;
            }
            if (cfg.global().admin().enabled()) {
                try {
                    admin.set(io.loomscale.admin.AdminServer.start(ls, logFile));
                } catch (java.io.IOException e) {
                    console.println("loomscale: " + e.getMessage());
                    log.error("{}", e.getMessage());
                    Runtime.getRuntime().removeShutdownHook(hook);
                    ls.stop(java.time.Duration.ZERO);
                    return 1;
                }
            }
            log.info("Ready. Stop with Ctrl-C or SIGTERM.");
            stopped.await();
            return 0;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"LoomScale " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
