package io.loomscale.config;

import io.loomscale.tls.TlsConfig;

import java.time.Duration;
import java.util.Objects;

/**
 * A {@code [server.NAME]} table: one backend MariaDB server.
 *
 * @param name           the NAME of the table
 * @param address        host name or IP address
 * @param port           TCP port, 1..65535 (default 3306)
 * @param weight         relative share of connections for load balancing, 0 = never chosen
 *                       while another server is usable (default 1)
 * @param persistpoolmax idle backend connections kept for reuse, 0 = none (default 0)
 * @param persistmaxtime how long a pooled connection may stay idle (default 0)
 * @param tls            TLS towards the server ({@code ssl*} keys; default none)
 * @param proxyProtocol  {@code proxy_protocol}: send a PROXY protocol header with the client's
 *                       address before the MariaDB handshake (default false)
 */
public record ServerConfig(String name, String address, int port, int weight, int persistpoolmax,
        Duration persistmaxtime, TlsConfig tls, boolean proxyProtocol) {

    public ServerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(persistmaxtime, "persistmaxtime");
        Objects.requireNonNull(tls, "tls");
    }

    /** A server without TLS or PROXY protocol. */
    public ServerConfig(String name, String address, int port, int weight, int persistpoolmax,
            Duration persistmaxtime) {
        this(name, address, port, weight, persistpoolmax, persistmaxtime, TlsConfig.DISABLED, false);
    }
}
