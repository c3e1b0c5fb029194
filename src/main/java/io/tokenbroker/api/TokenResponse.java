package io.tokenbroker.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tokenbroker.support.TokenFingerprint;

/**
 * The JSON body of {@code GET /token} and {@code POST /token/refresh}.
 *
 * @param client the client name
 * @param accessToken the platform's Access-Token
 * @param expiresAt when the broker stops handing it out (ISO-8601, UTC, whole seconds)
 * @param expiresIn whole seconds until then
 */
@RegisterForReflection
public record TokenResponse(String client, String accessToken, String expiresAt, long expiresIn) {

    @Override
    public String toString() {
        return "TokenResponse[client=" + client + ", accessToken=" + TokenFingerprint.of(accessToken)
                + ", expiresAt=" + expiresAt + "]";
    }
}
