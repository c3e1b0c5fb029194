package io.tokenbroker.platform;

import io.tokenbroker.support.TokenFingerprint;
import java.time.Instant;

/**
 * A token the platform just issued, with the moment the successful request was sent: the platform
 * counts the token's lifetime from about then, so the broker must too.
 */
public record IssuedToken(String token, Instant requestedAt) {

    @Override
    public String toString() {
        return "IssuedToken[token=" + TokenFingerprint.of(token) + ", requestedAt=" + requestedAt + "]";
    }
}
