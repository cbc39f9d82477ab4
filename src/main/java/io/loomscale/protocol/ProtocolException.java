package io.loomscale.protocol;

/** A violation of the MariaDB client/server protocol: a malformed, truncated or oversized packet. */
public final class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }
}
