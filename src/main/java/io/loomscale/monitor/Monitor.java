package io.loomscale.monitor;

import java.util.List;

/**
 * A monitor module instance (one per {@code [monitor.NAME]}): watches its servers on its own
 * thread and publishes each server's {@link ServerState} through {@link Server#state(ServerState)}.
 * Implementations must never block the caller of {@link #start()} or {@link #stop()} for long.
 */
public interface Monitor {
    /** The monitor's name from the config. */
    String name();

    /** The servers it watches, in config order. */
    List<Server> servers();

    /** Starts watching (a background thread); returns at once. */
    void start();

    /** Stops watching and closes its connections; waits at most a few seconds. */
    void stop();

    /** Blocks until the monitor has completed at least one full tick after this call, bounded by {@code timeoutMillis}. */
    boolean awaitTick(long timeoutMillis) throws InterruptedException;

    /** Puts a server in or out of maintenance; the monitor then leaves it alone. */
    void setMaintenance(String server, boolean on);

    /** A JSON-friendly description for diagnostics. */
    java.util.Map<String, Object> diagnostics();
}
