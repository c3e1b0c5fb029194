package io.tokenbroker.token;

import java.time.Duration;

/**
 * A forced refresh was asked for within {@code broker.token.min-forced-refresh-interval} of the last
 * one: refused, so that a caller stuck in a loop cannot burn the platform's quota.
 */
public final class RefreshTooSoonException extends RuntimeException {

    private final Duration retryAfter;

    RefreshTooSoonException(String client, Duration retryAfter) {
        super("client '" + client + "' was force-refreshed moments ago; try again later", null, false, false);
        this.retryAfter = retryAfter;
    }

    /** When the caller may report again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
