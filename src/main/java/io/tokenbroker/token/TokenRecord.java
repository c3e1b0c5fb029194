package io.tokenbroker.token;

import io.tokenbroker.support.TokenFingerprint;
import java.time.Duration;
import java.time.Instant;

/**
 * One client's current token as every replica shares it.
 *
 * @param token the platform's Access-Token
 * @param acquiredAt when the request that obtained it was sent
 * @param expiresAt when the broker stops handing it out ({@code acquiredAt + lifetime - safety margin})
 * @param generation the platform's order of tokens as the broker knows it: the fencing number of the
 *     lease under which the token was obtained or last written back, so a higher generation is a token
 *     the platform issued later
 */
public record TokenRecord(String token, Instant acquiredAt, Instant expiresAt, long generation) {

    /** A token with less than this left is not handed out: callers could not use it. */
    public static final Duration MINIMUM_REMAINING = Duration.ofSeconds(1);

    /**
     * Whether the token may still be handed out at {@code nowMillis} (epoch milliseconds: the hot path
     * asks with {@code clock.millis()}, allocating nothing).
     */
    public boolean servableAt(long nowMillis) {
        return expiresAt.toEpochMilli() - nowMillis >= MINIMUM_REMAINING.toMillis();
    }

    /**
     * Whether this record is newer than {@code known}: by generation only, never by the wall clocks of
     * different hosts. Equal generations are the same token, or one numbered locally during an outage
     * that the write-back renumbers.
     */
    public boolean newerThan(TokenRecord known) {
        return known == null || generation > known.generation;
    }

    /**
     * Whether a replica should replace {@code known} by this record at {@code now}: a newer one, or any
     * servable one once {@code known} is not.
     */
    public boolean replaces(TokenRecord known, Instant now) {
        return newerThan(known) || !known.servableAt(now.toEpochMilli()) && servableAt(now.toEpochMilli());
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
