package io.tokenbroker.token;

import java.time.Duration;

/**
 * No valid token can be handed out now, and the cause is not the platform's answer: another
 * replica's acquisition did not finish in time, or the shared store cannot be reached.
 */
public final class TokenUnavailableException extends RuntimeException {

    private final Duration retryAfter;

    TokenUnavailableException(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    /** When the caller may try again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
