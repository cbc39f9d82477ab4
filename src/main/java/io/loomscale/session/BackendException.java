package io.loomscale.session;

import io.loomscale.protocol.ErrPacket;

import java.io.IOException;

/** A backend refused or lost a connection; carries the server's ERR when there was one. */
public final class BackendException extends IOException {
    private final transient ErrPacket err;

    public BackendException(String message, ErrPacket err) {
        super(message);
        this.err = err;
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
        this.err = null;
    }

    /** The server's error, or null. */
    public ErrPacket err() {
        return err;
    }
}
