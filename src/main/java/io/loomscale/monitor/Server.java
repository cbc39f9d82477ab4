package io.loomscale.monitor;

import io.loomscale.config.ServerConfig;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend server at run time: its configuration, the latest {@link ServerState} published by
 * its monitor (an immutable object behind a volatile reference: routers read it on any thread
 * without locks), and counters updated by sessions.
 */
public final class Server {
    private volatile ServerConfig config;
    private volatile ServerState state;
    /** Flags set by an administrator ({@link ServerState#DRAIN}, and MAINTENANCE of an unmonitored server); guarded by this. */
    private int adminFlags;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong totalConnections = new AtomicLong();
    private final AtomicLong statements = new AtomicLong();
    private final io.loomscale.net.LoadGauge load = new io.loomscale.net.LoadGauge();

    public Server(ServerConfig config, ServerState initial) {
        this.config = config;
        this.state = initial;
    }

    public String name() {
        return config.name();
    }

    public String address() {
        return config.address();
    }

    public int port() {
        return config.port();
    }

    public int weight() {
        return config.weight();
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * Takes a changed configuration of this server at run time (admin interface): new
     * connections use the new address, port and weight; open ones stay where they are.
     */
    public void config(ServerConfig newConfig) {
        if (!newConfig.name().equals(config.name())) {
            throw new IllegalArgumentException("server " + config.name() + " cannot take the config of " + newConfig.name());
        }
        this.config = newConfig;
    }

    public ServerState state() {
        return state;
    }

    /**
     * Publishes a new state; called by the server's monitor only. The flags an administrator set
     * ({@link #adminFlag}) are kept whatever the monitor computed.
     */
    public synchronized void state(ServerState newState) {
        int flags = newState.flags() | adminFlags;
        this.state = flags == newState.flags() ? newState : newState.withFlags(flags);
    }

    /**
     * Sets or clears a flag an administrator controls ({@link ServerState#DRAIN}, or
     * {@link ServerState#MAINTENANCE} of a server no monitor watches) and publishes it at once;
     * later monitor ticks keep it. Returns the state now published.
     */
    public synchronized ServerState adminFlag(int flag, boolean on) {
        adminFlags = on ? adminFlags | flag : adminFlags & ~flag;
        ServerState old = state;
        ServerState now = old.withFlags(on ? old.flags() | flag : old.flags() & ~flag);
        this.state = now;
        return now;
    }

    /** The flags set through {@link #adminFlag}. */
    public synchronized int adminFlags() {
        return adminFlags;
    }

    public int connections() {
        return connections.get();
    }

    public long totalConnections() {
        return totalConnections.get();
    }

    public void connectionOpened() {
        connections.incrementAndGet();
        totalConnections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void statementRouted() {
        statements.incrementAndGet();
    }

    /** Outstanding replies and response times over all connections to this server. */
    public io.loomscale.net.LoadGauge load() {
        return load;
    }

    public long statements() {
        return statements.get();
    }

    @Override
    public String toString() {
        return name() + " (" + address() + ":" + port() + ")";
    }
}
