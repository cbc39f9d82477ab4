package io.loomscale.protocol.client;

import io.loomscale.protocol.ErrPacket;

/** A server's ERR reply to a housekeeping statement. */
public final class SqlException extends RuntimeException {
    private final transient ErrPacket err;

    public SqlException(ErrPacket err) {
        super(err.toString());
        this.err = err;
    }

    public ErrPacket err() {
        return err;
    }
}
