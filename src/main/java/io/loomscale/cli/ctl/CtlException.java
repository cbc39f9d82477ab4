package io.loomscale.cli.ctl;

/** A ctl command failed: the message (the API's error, or why the API could not be reached) goes to stderr, exit 1. */
final class CtlException extends RuntimeException {
    CtlException(String message) {
        super(message);
    }
}
