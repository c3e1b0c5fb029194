package io.tokenbroker.platform;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Issues a new token for a client: the platform's credential call, as the broker's core sees it.
 * Every call may invalidate the client's previous token.
 */
public interface TokenIssuer {

    /**
     * Asks for a new token for {@code client}, if {@code mayIssue} still holds before each attempt
     * (the caller's refresh lock, say).
     *
     * @throws PlatformException why no token was issued
     */
    IssuedToken issue(String client, BooleanSupplier mayIssue);

    /**
     * How long callers should wait for {@code client}'s call to answer: the configured time-out, longer
     * while the platform's recent answers took longer, with room for the retries of calls that issued
     * nothing. A call may go on after it; its token is kept all the same.
     */
    default Duration answerWithin(String client) {
        return Duration.ofSeconds(10);
    }
}
