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

    /**
     * Runs one of the module's commands (MaxScale's module commands; {@code mariadbmon} has
     * {@code switchover [NEW [OLD]]}, {@code failover} and {@code rejoin SERVER}) and returns what
     * it did, for a person to read. Blocks until the command is done (bounded by the module's
     * timeouts). Thread-safe.
     *
     * @throws IllegalArgumentException an unknown command or bad arguments (e.g. no such server)
     * @throws IllegalStateException    the command was refused or failed; the message says why
     */
    default String command(String command, java.util.List<String> args) throws InterruptedException {
        throw new IllegalArgumentException("monitor " + name() + " has no command '" + command + "'");
    }

    /** A JSON-friendly description for diagnostics. */
    java.util.Map<String, Object> diagnostics();
}
