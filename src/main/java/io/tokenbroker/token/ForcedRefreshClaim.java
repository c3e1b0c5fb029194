package io.tokenbroker.token;

import java.time.Duration;

/**
 * The store's answer to a claim of a client's next forced refresh.
 *
 * @param granted whether this call may force a refresh now
 * @param after when refused, how long until the next claim may succeed; when granted, the floor the
 *     claim set (above {@link ForcedRefreshLimits#floor()} while forced refreshes are refused again)
 * @param leftToday forced refreshes left in the client's daily budget after this claim
 * @param budgetSpent whether the refusal is the daily budget's, not the floor's
 */
public record ForcedRefreshClaim(boolean granted, Duration after, int leftToday, boolean budgetSpent) {
}
