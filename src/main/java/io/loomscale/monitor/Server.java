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
    private final ServerConfig config;
    private volatile ServerState state;
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

    public ServerState state() {
        return state;
    }

    /** Publishes a new state; called by the server's monitor only. */
    public void state(ServerState newState) {
        this.state = newState;
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
