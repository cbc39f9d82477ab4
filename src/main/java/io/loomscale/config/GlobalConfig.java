package io.loomscale.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code [loomscale]} table: process-wide settings. MaxScale 2.1 calls it {@code [maxscale]}.
 *
 * <p>Relative paths are kept relative: they resolve against the working directory of the
 * process, which is what the local sandbox relies on.
 *
 * @param threads        selector (network I/O) threads; {@code "auto"} in the file is resolved
 *                       to {@link Runtime#availableProcessors()}; MaxScale 2.1 {@code threads}
 * @param sessionThreads carrier threads of the virtual-thread scheduler that runs the sessions
 *                       (a LoomScale addition), {@code "auto"} resolved the same way
 * @param logLevel       one of {@code error, warn, notice, info, debug}
 * @param logdir         directory of the log file
 * @param datadir        directory of persisted runtime changes
 * @param libdir         directory of module jars
 * @param admin          the REST admin interface ({@code admin_*} keys)
 */
public record GlobalConfig(int threads, int sessionThreads, String logLevel, Path logdir, Path datadir,
        Path libdir, AdminConfig admin) {

    public GlobalConfig {
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(logdir, "logdir");
        Objects.requireNonNull(datadir, "datadir");
        Objects.requireNonNull(libdir, "libdir");
        Objects.requireNonNull(admin, "admin");
    }

    /** Without {@code admin_*} keys: the admin interface's defaults. */
    public GlobalConfig(int threads, int sessionThreads, String logLevel, Path logdir, Path datadir, Path libdir) {
        this(threads, sessionThreads, logLevel, logdir, datadir, libdir, AdminConfig.defaults());
    }

    /** The values used when {@code [loomscale]} is absent. */
    public static GlobalConfig defaults() {
        return new GlobalConfig(1, 1, "notice", Path.of("/var/log/loomscale"), Path.of("/var/lib/loomscale"),
                Path.of("/usr/lib/loomscale"));
    }
}
