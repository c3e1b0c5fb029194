package io.tokenbroker.platform;

import java.time.Duration;

/** The platform could not be reached, timed out, was busy, or its breaker is open. */
public final class PlatformUnavailableException extends PlatformException {

    private final Duration retryAfter;

    PlatformUnavailableException(String client, String message, Duration retryAfter) {
        super(client, message);
        this.retryAfter = retryAfter;
    }

    /** When the caller may try again. */
    public Duration retryAfter() {
        return retryAfter;
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
