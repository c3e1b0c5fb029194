package io.tokenbroker.token;

import java.time.Duration;

/**
 * A forced refresh was asked for within the client's floor ({@code broker.token.min-forced-refresh-interval},
 * grown while forced refreshes are refused again) of the last one, or of the last one the same caller
 * forced, or beyond the client's daily budget: refused, so that a caller stuck in a loop cannot burn the
 * platform's quota, nor, granted many clients, rotate them all.
 */
public final class RefreshTooSoonException extends RuntimeException {

    private final Duration retryAfter;

    private RefreshTooSoonException(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    /** The client was force-refreshed moments ago, by any caller. */
    static RefreshTooSoonException forClient(String client, Duration retryAfter) {
        return new RefreshTooSoonException("client '" + client + "' was force-refreshed moments ago; try again later",
                retryAfter);
    }

    /** This caller forced a refresh moments ago, of whichever client. */
    static RefreshTooSoonException forCaller(String caller, Duration retryAfter) {
        return new RefreshTooSoonException("caller '" + caller + "' forced a refresh moments ago; try again later",
                retryAfter);
    }

    /** The client has had its day's forced refreshes ({@code broker.token.max-forced-refreshes-per-day}). */
    static RefreshTooSoonException forDailyBudget(String client, int perDay, Duration retryAfter) {
        return new RefreshTooSoonException("client '" + client + "' has had its " + perDay + " forced refreshes of the "
                + "day (broker.token.max-forced-refreshes-per-day); try again later", retryAfter);
    }

    /** When the caller may report again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
