package io.loomscale.hint;

import java.util.Objects;

/**
 * One routing hint from a MaxScale-style hint comment ({@code -- maxscale route to master}).
 * {@code server} is set for {@link Type#ROUTE_TO_NAMED_SERVER} only, {@code name} and {@code value}
 * for {@link Type#PARAMETER} only (such as {@code max_slave_replication_lag=10}); the other
 * fields are null. Immutable.
 *
 * @see <a href="https://mariadb.com/kb/en/mariadb-maxscale-25-hintfilter/">MaxScale hintfilter</a>
 */
public record Hint(Hint.Type type, String server, String name, String value) {

    /** What the hint asks of the router. */
    public enum Type {
        /** Route to the primary. */
        ROUTE_TO_MASTER,
        /** Route to a replica, even a write (the router does not second-guess a hint). */
        ROUTE_TO_SLAVE,
        /** Route to the server named {@link Hint#server()}, if the service uses it; else ignore the hint. */
        ROUTE_TO_NAMED_SERVER,
        /** Route to the server that ran the previous statement. */
        ROUTE_TO_LAST_USED,
        /** A router parameter for this statement, {@link Hint#name()} = {@link Hint#value()}. */
        PARAMETER
    }

    public Hint {
        Objects.requireNonNull(type, "type");
        if ((type == Type.ROUTE_TO_NAMED_SERVER) != (server != null)) {
            throw new IllegalArgumentException("server: " + server + " (expected: set for ROUTE_TO_NAMED_SERVER only)");
        }
        if ((type == Type.PARAMETER) != (name != null && value != null)) {
            throw new IllegalArgumentException("name, value: " + name + ", " + value
                    + " (expected: both set for PARAMETER only)");
        }
    }

    /** A hint routing to the primary, a replica or the last used server. */
    public static Hint route(Type type) {
        return new Hint(type, null, null, null);
    }

    /** A hint routing to the server named {@code server}. */
    public static Hint toServer(String server) {
        return new Hint(Type.ROUTE_TO_NAMED_SERVER, server, null, null);
    }

    /** A parameter hint {@code name=value}. */
    public static Hint parameter(String name, String value) {
        return new Hint(Type.PARAMETER, null, name, value);
    }
}
