package io.loomscale.config;

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
 */
public record ServerConfig(String name, String address, int port, int weight, int persistpoolmax,
        Duration persistmaxtime) {

    public ServerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(persistmaxtime, "persistmaxtime");
    }
}
