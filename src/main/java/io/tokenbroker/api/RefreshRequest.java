package io.tokenbroker.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tokenbroker.support.TokenFingerprint;

/**
 * The body of {@code POST /token/refresh}.
 *
 * @param rejectedToken the token the platform refused
 */
@RegisterForReflection
public record RefreshRequest(String rejectedToken) {

    /** Longest token a caller may report; platform tokens are far shorter. */
    static final int MAX_TOKEN_LENGTH = 4096;

    @Override
    public String toString() {
        return "RefreshRequest[rejectedToken=" + TokenFingerprint.of(rejectedToken) + "]";
    }

    /** Whether the body names a token at all. */
    boolean namesAToken() {
        return rejectedToken != null && !rejectedToken.isBlank() && rejectedToken.length() <= MAX_TOKEN_LENGTH;
    }
}
