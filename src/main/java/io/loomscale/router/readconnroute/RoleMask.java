package io.loomscale.router.readconnroute;

import io.loomscale.config.Params;
import io.loomscale.monitor.ServerState;

import java.util.Locale;

/**
 * The server roles readconnroute may pick, from {@code router_options} (a comma list of
 * {@code master}, {@code slave}, {@code running}, {@code synced}; default {@code running}). A
 * server is eligible when it matches any listed role.
 */
record RoleMask(boolean master, boolean slave, boolean running, String text) {
    static final String ALLOWED = "master, slave, running, synced (comma-separated)";

    static RoleMask parse(String options, Params where) {
        String text = options == null || options.isBlank() ? "running" : options.trim();
        boolean m = false;
        boolean s = false;
        boolean r = false;
        for (String part : text.split(",")) {
            switch (part.trim().toLowerCase(Locale.ROOT)) {
                case "master" -> m = true;
                case "slave" -> s = true;
                // Galera's "synced" has no meaning for a replication cluster: any running node.
                case "running", "synced" -> r = true;
                default -> throw where.error("router_options", "unknown role '" + part.trim() + "'", ALLOWED);
            }
        }
        return new RoleMask(m, s, r, text);
    }

    boolean matches(ServerState st) {
        if (!st.isRunning() || st.inMaintenance()) {
            return false;
        }
        return running || (master && st.isMaster()) || (slave && st.isSlave());
    }
}
