package io.tokenbroker.security;

/** The requested client name is not a client name at all (empty, too long, odd characters). */
public final class InvalidClientNameException extends RuntimeException {

    InvalidClientNameException() {
        super("the client name must be 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit",
                null, false, false);
    }
}
