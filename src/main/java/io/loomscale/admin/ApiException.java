package io.loomscale.admin;

/**
 * A request the admin interface refuses: the HTTP status and the message that goes to the client
 * as {@code {"errors":[{"detail": message}]}} (MaxScale's error document).
 */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
