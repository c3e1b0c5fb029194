package io.tokenbroker.proxy;

/** The path of a business call could be read as another path than the one granted. */
final class InvalidPlatformPathException extends RuntimeException {

    InvalidPlatformPathException(String message) {
        super(message, null, false, false);
    }
}
