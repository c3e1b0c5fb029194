package io.tokenbroker.token;

import io.tokenbroker.support.TokenFingerprint;
import java.time.Instant;

/**
 * What this replica knows of one client's token, for operators: never the token itself, only its
 * fingerprint. Times are {@code null} where there is nothing to tell.
 *
 * @param client the client's name
 * @param fingerprint the held token's fingerprint ({@code sha256:…}), or {@code null} before the first
 * @param generation the held token's generation (0 before the first)
 * @param acquiredAt when the platform was asked for the held token
 * @param servedUntil until when it is handed out
 * @param nextRefresh when it is due to be refreshed ahead of expiry
 * @param unsaved whether it was obtained during a store outage and still has to be written back
 * @param refreshFailingSince since when refreshing ahead has failed, or {@code null} if it has not
 * @param failedRefreshes refreshes failed in a row
 * @param lastFailureKind what went wrong at the last failed acquisition ({@code platform-unavailable},
 *     {@code credentials-rejected}, {@code bad-answer}, {@code store-unavailable},
 *     {@code token-unavailable}, {@code internal}), or {@code null}
 * @param lastFailureAt when that was
 * @param failingSince since when acquisitions have failed in a row, or {@code null} if the last one succeeded
 * @param acquiring whether an acquisition runs on this replica now
 * @param replacing whether a replacement of a refused token runs on this replica now
 * @param storeProblem why the stored record was refused at the last look, or {@code null}
 */
public record TokenStateReport(String client, String fingerprint, long generation, Instant acquiredAt,
        Instant servedUntil, Instant nextRefresh, boolean unsaved, Instant refreshFailingSince, int failedRefreshes,
        String lastFailureKind, Instant lastFailureAt, Instant failingSince, boolean acquiring, boolean replacing, String storeProblem) {

    static TokenStateReport of(ClientTokenState state) {
        ClientTokenState.Known known = state.known();
        TokenRecord token = known.token();
        ClientTokenState.FailureNote failure = state.lastFailure();
        return new TokenStateReport(state.client(),
                token == null ? null : TokenFingerprint.of(token.token()),
                token == null ? 0 : token.generation(),
                token == null ? null : token.acquiredAt(),
                token == null ? null : token.expiresAt(),
                token == null ? null : known.nextRefresh(),
                known.unsaved(), known.failingSince(), known.failedRefreshes(),
                failure == null ? null : failure.kind(), failure == null ? null : failure.at(),
                failure == null || failure.recovered() ? null : failure.since(),
                state.acquiring(), state.replacing(), known.storeProblem());
    }
}
