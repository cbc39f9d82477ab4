package io.loomscale.config;

import io.loomscale.tls.TlsConfig;

import java.util.List;
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
 * @param proxyProtocolNetworks {@code proxy_protocol_networks}: networks (a load balancer) whose
 *                connections may start with a PROXY protocol header naming the client; empty = none
 */
public record ListenerConfig(String name, String service, String address, int port, String socket, TlsConfig tls,
        List<String> proxyProtocolNetworks) {

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        proxyProtocolNetworks = List.copyOf(proxyProtocolNetworks);
    }

    /** A listener without PROXY protocol. */
    public ListenerConfig(String name, String service, String address, int port, String socket, TlsConfig tls) {
        this(name, service, address, port, socket, tls, List.of());
    }

    /** A listener without TLS. */
    public ListenerConfig(String name, String service, String address, int port, String socket) {
        this(name, service, address, port, socket, TlsConfig.DISABLED, List.of());
    }
}
