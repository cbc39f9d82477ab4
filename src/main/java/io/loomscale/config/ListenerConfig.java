package io.loomscale.config;

import io.loomscale.tls.TlsConfig;

import java.util.Objects;

/**
 * A {@code [listener.NAME]} table: where clients connect to a service.
 *
 * @param name    the NAME of the table
 * @param service the service that clients of this listener use
 * @param address address to bind (default {@code ::}, all IPv6 and IPv4 addresses, as MaxScale 2.1.2+)
 * @param port    TCP port, or 0 when the listener has only a socket
 * @param socket  Unix domain socket path, or null
 * @param tls     TLS for clients ({@code ssl*} keys; with {@code ssl = true} only TLS clients are accepted)
 */
public record ListenerConfig(String name, String service, String address, int port, String socket, TlsConfig tls) {

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
    }

    /** A listener without TLS. */
    public ListenerConfig(String name, String service, String address, int port, String socket) {
        this(name, service, address, port, socket, TlsConfig.DISABLED);
    }
}
