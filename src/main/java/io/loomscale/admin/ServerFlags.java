package io.loomscale.admin;

import io.loomscale.config.Json;
import io.loomscale.monitor.Server;
import io.loomscale.monitor.ServerState;
import io.loomscale.service.LoomScale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server states an administrator set that no monitor remembers, kept over a restart in
 * {@code datadir/server_states.json}: {@code drain} (any server) and {@code maintenance} of
 * servers no monitor watches ({@code mariadbmon} keeps its own servers' maintenance in its
 * journal). Written after each set/clear (a temporary file moved into place), read when the admin
 * interface starts; names of servers that no longer exist are ignored.
 */
final class ServerFlags {
    private static final Logger log = LoggerFactory.getLogger(ServerFlags.class);
    static final String FILE = "server_states.json";

    private ServerFlags() {
    }

    static void save(LoomScale ls, Path datadir) {
        List<String> drain = new ArrayList<>();
        List<String> maintenance = new ArrayList<>();
        for (Server s : ls.servers().values()) {
            int f = s.adminFlags();
            if ((f & ServerState.DRAIN) != 0) {
                drain.add(s.name());
            }
            if ((f & ServerState.MAINTENANCE) != 0) {
                maintenance.add(s.name());
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("drain", drain);
        doc.put("maintenance", maintenance);
        Path file = datadir.resolve(FILE);
        try {
            Files.createDirectories(datadir);
            Path tmp = datadir.resolve(FILE + ".tmp");
            Files.writeString(tmp, Json.pretty(doc) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ApiException(500, "the state is set but could not be saved to " + file + ": " + e.getMessage());
        }
    }

    static void restore(LoomScale ls, Path datadir) {
        Path file = datadir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return;
        }
        Object doc;
        try {
            doc = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            log.warn("Cannot read the saved server states from {}: {}; servers start without drain", file, e.getMessage());
            return;
        }
        apply(ls, Json.at(doc, "drain"), ServerState.DRAIN, "drain");
        apply(ls, Json.at(doc, "maintenance"), ServerState.MAINTENANCE, "maintenance");
    }

    private static void apply(LoomScale ls, Object names, int flag, String what) {
        if (!(names instanceof List<?> list)) {
            return;
        }
        for (Object n : list) {
            Server s = ls.servers().get(String.valueOf(n));
            if (s == null) {
                continue;
            }
            boolean monitored = ls.monitors().values().stream().anyMatch(m -> m.servers().contains(s));
            if (flag == ServerState.MAINTENANCE && monitored) {
                continue; // its monitor's journal decides
            }
            s.adminFlag(flag, true);
            log.info("Server {} is in {} (set before the restart, from {})", s.name(), what, FILE);
        }
    }
}
