package io.loomscale.admin;

import io.loomscale.config.ConfigException;
import io.loomscale.config.ConfigLoader;
import io.loomscale.config.LoomScaleConfig;
import io.loomscale.config.MonitorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration in force now, and its copy on disk. It starts as the file's (or the file's
 * {@code [loomscale]} plus the objects persisted by an earlier run, see {@link #withPersisted});
 * every admin change edits the objects' tables ({@link ConfigWriter}), parses the whole result
 * with {@link ConfigLoader} (so a change is checked exactly as the file would be: unknown keys,
 * bad values and dangling names are refused with the loader's message) and, once applied, writes
 * every object to {@code datadir/loomscale-runtime.toml} (mode 0600: it holds the service and
 * monitor passwords, as the main file does).
 *
 * <p>On the next start that file replaces the main file's objects (servers, monitors, services,
 * listeners, filters) and a warning says so: delete it to go back to the main file.
 *
 * <p>Not thread-safe for writers: {@link AdminApi} serializes changes; readers see a volatile.
 */
public final class RuntimeConfig {
    private static final Logger log = LoggerFactory.getLogger(RuntimeConfig.class);
    static final String FILE = "loomscale-runtime.toml";

    private volatile LoomScaleConfig current;

    RuntimeConfig(LoomScaleConfig initial) {
        this.current = initial;
    }

    LoomScaleConfig current() {
        return current;
    }

    MonitorConfig monitorConfig(String name) {
        return current.monitors().get(name);
    }

    /** The objects' tables now, a fresh mutable copy to edit. */
    Map<String, Map<String, Object>> tables() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        ConfigWriter.tables(current).forEach((k, v) -> out.put(k, new LinkedHashMap<>(v)));
        return out;
    }

    /** Parses {@code tables} with the current {@code [loomscale]}; a 400 with the loader's message when invalid. */
    LoomScaleConfig propose(Map<String, Map<String, Object>> tables) {
        String text = ConfigWriter.toml(Map.of("loomscale", ConfigWriter.global(current.global())))
                + ConfigWriter.toml(tables);
        try {
            return ConfigLoader.parse(text, "runtime change");
        } catch (ConfigException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    /** Makes {@code next} current and writes it under {@code datadir}. */
    void commit(LoomScaleConfig next) {
        current = next;
        Path dir = next.global().datadir();
        Path file = dir.resolve(FILE);
        String text = "# Written by the LoomScale admin interface: the objects as changed at run time.\n"
                + "# It replaces the objects of the main configuration file on start; delete it to go back.\n\n"
                + ConfigWriter.toml(ConfigWriter.tables(next));
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(FILE + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default mode
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ApiException(500, "the change is applied but could not be saved to " + file + ": " + e.getMessage());
        }
    }

    /**
     * The configuration to run: {@code fileConfig} itself, or its {@code [loomscale]} table with
     * the objects persisted in {@code datadir/loomscale-runtime.toml} by an earlier run.
     *
     * @throws ConfigException when the persisted file is invalid (named in the message)
     */
    public static LoomScaleConfig withPersisted(LoomScaleConfig fileConfig) {
        Path file = fileConfig.global().datadir().resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return fileConfig;
        }
        String objects;
        try {
            objects = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ConfigException.ofFile(file.toString(), "cannot read the file (" + e + ")", e);
        }
        String global = ConfigWriter.toml(Map.of("loomscale", ConfigWriter.global(fileConfig.global())));
        LoomScaleConfig merged = ConfigLoader.parse(global + objects, file.toString());
        log.warn("Using the objects changed at run time from {} instead of those in {}; delete {} to go back to {}",
                file, fileConfig.file(), file, fileConfig.file());
        return merged;
    }
}
