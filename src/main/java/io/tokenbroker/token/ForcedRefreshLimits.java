package io.tokenbroker.token;

import java.time.Duration;

/**
 * What bounds a client's forced refreshes across replicas: each kills the token every other caller
 * holds and spends the platform's quota, and one caller can ask for them without end.
 *
 * @param floor least time between two ({@code broker.token.min-forced-refresh-interval})
 * @param longestFloor how far the floor may grow while the tokens forced refreshes produce are refused
 *     again (the refusals are not about the token)
 * @param perDay at most this many in a day ({@code broker.token.max-forced-refreshes-per-day})
 */
public record ForcedRefreshLimits(Duration floor, Duration longestFloor, int perDay) {

    /** The period the daily budget counts over, from the first forced refresh in it. */
    public static final Duration DAY = Duration.ofDays(1);
}
