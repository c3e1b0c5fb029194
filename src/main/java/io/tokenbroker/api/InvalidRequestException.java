package io.tokenbroker.api;

/** The request is malformed in a way the broker explains to the caller. */
final class InvalidRequestException extends RuntimeException {

    InvalidRequestException(String message) {
        super(message, null, false, false);
    }
}
