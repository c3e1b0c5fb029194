package io.tokenbroker.store;

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

    /**
     * Whether this record should replace {@code known} in a replica's memory: a higher generation, or
     * the same generation with another token (after an outage two replicas may have numbered alike;
     * the shared store then decides).
     */
    public boolean replaces(TokenRecord known) {
        return known == null || generation > known.generation
                || generation == known.generation && !token.equals(known.token);
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
        return "TokenRecord[generation=" + generation + ", acquiredAt=" + acquiredAt + ", expiresAt=" + expiresAt + "]";
    }
}
