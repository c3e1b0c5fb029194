package io.tokenbroker.security;

/** The request carries no API key, or one the broker does not know. */
public final class NotAuthenticatedException extends RuntimeException {

    NotAuthenticatedException(String message) {
        super(message, null, false, false);
    }
}
