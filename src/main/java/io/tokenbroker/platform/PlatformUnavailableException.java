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
    private final boolean answerLost;

    PlatformUnavailableException(String client, String message, Duration retryAfter, boolean issuedNothing) {
        this(client, message, retryAfter, issuedNothing, false);
    }

    PlatformUnavailableException(String client, String message, Duration retryAfter, boolean issuedNothing,
            boolean answerLost) {
        super(client, message);
        this.retryAfter = retryAfter;
        this.issuedNothing = issuedNothing;
        this.answerLost = answerLost;
    }

    /**
     * Whether the request left but its answer was never seen (no answer within
     * {@code broker.platform.late-answer-timeout}, or the connection broke off): the platform may still
     * be issuing a token, so nobody should ask again until such an answer can no longer matter.
     */
    public boolean answerLost() {
        return answerLost;
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
