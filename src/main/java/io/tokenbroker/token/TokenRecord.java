package io.tokenbroker.token;

import io.tokenbroker.security.TokenFingerprint;
import java.time.Duration;
import java.time.Instant;

/**
 * One client's current token as every replica shares it.
 *
 * @param token the platform's Access-Token
 * @param acquiredAt when the request that obtained it was sent
 * @param expiresAt when the broker stops handing it out ({@code acquiredAt + lifetime - safety margin})
 * @param generation fencing number: a record never replaces one with a higher or equal generation
 */
public record TokenRecord(String token, Instant acquiredAt, Instant expiresAt, long generation) {

    /** A token with less than this left is not handed out: callers could not use it. */
    public static final Duration MINIMUM_REMAINING = Duration.ofSeconds(1);

    /** Whether the token may still be handed out at {@code now}. */
    public boolean servableAt(Instant now) {
        return remainingAt(now).compareTo(MINIMUM_REMAINING) >= 0;
    }

    /** {@link #servableAt} to the millisecond, for a time in epoch milliseconds: the hot path's check, allocating nothing. */
    public boolean servableAtMillis(long nowMillis) {
        return expiresAt.toEpochMilli() - nowMillis >= MINIMUM_REMAINING.toMillis();
    }

    /**
     * Whether this record should replace {@code known} in a replica's memory at {@code now}: a higher
     * generation; another token requested later (after a Redis restart, generations may start again
     * low, and the platform honours the latest token); or any servable token once {@code known} is not.
     */
    public boolean replaces(TokenRecord known, Instant now) {
        if (known == null || generation > known.generation) {
            return true;
        }
        if (token.equals(known.token)) {
            return false;
        }
        return acquiredAt.isAfter(known.acquiredAt) || !known.servableAt(now) && servableAt(now);
    }

    /** The same token under another generation number. */
    public TokenRecord withGeneration(long newGeneration) {
        return new TokenRecord(token, acquiredAt, expiresAt, newGeneration);
    }

    /** Time left until {@link #expiresAt()}, negative once past it. */
    public Duration remainingAt(Instant now) {
        return Duration.between(now, expiresAt);
    }

    @Override
    public String toString() {
        return "TokenRecord[token=" + TokenFingerprint.of(token) + ", generation=" + generation
                + ", acquiredAt=" + acquiredAt + ", expiresAt=" + expiresAt + "]";
    }
}
