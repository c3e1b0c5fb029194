package io.tokenbroker.platform;

import java.time.Duration;

/**
 * The platform could not be reached, timed out, was busy, or its breaker is open. Issuing a token is
 * not idempotent, so the exception says whether the platform certainly issued nothing (no connection
 * was made, or it answered that it is busy): only then may the call be repeated at once.
 */
public final class PlatformUnavailableException extends PlatformException {

    private final Duration retryAfter;
    private final boolean issuedNothing;

    PlatformUnavailableException(String client, String message, Duration retryAfter, boolean issuedNothing) {
        super(client, message);
        this.retryAfter = retryAfter;
        this.issuedNothing = issuedNothing;
    }

    /** When the caller may try again. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Whether the platform certainly issued no token, so another attempt cannot invalidate one. */
    public boolean issuedNothing() {
        return issuedNothing;
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
