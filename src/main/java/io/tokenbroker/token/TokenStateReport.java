package io.tokenbroker.token;

import io.quarkus.runtime.annotations.RegisterForReflection;
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
 * @param lastFailure the last failed acquisition, or {@code null} if none has failed
 * @param acquiring whether an acquisition, or a replacement of a refused token, runs on this replica now
 * @param storeProblem why the stored record was refused at the last look, or {@code null}
 */
@RegisterForReflection
public record TokenStateReport(String client, String fingerprint, long generation, Instant acquiredAt,
        Instant servedUntil, Instant nextRefresh, boolean unsaved, Instant refreshFailingSince, int failedRefreshes,
        Failure lastFailure, boolean acquiring, String storeProblem) {

    /**
     * A failed acquisition.
     *
     * @param kind what went wrong: {@code platform-unavailable}, {@code credentials-rejected},
     *     {@code bad-answer}, {@code store-unavailable}, {@code token-unavailable} or {@code internal}
     * @param at when
     * @param failingSince since when acquisitions have failed in a row, {@code null} once one succeeded
     */
    @RegisterForReflection
    public record Failure(String kind, Instant at, Instant failingSince) {
    }

    static TokenStateReport of(ClientTokenState state) {
        ClientTokenState.Known known = state.known();
        TokenRecord token = known.token();
        ClientTokenState.FailureNote note = state.lastFailure();
        Failure failure = note == null ? null
                : new Failure(note.kind(), note.at(), note.recovered() ? null : note.since());
        return new TokenStateReport(state.client(),
                token == null ? null : TokenFingerprint.of(token.token()),
                token == null ? 0 : token.generation(),
                token == null ? null : token.acquiredAt(),
                token == null ? null : token.expiresAt(),
                token == null ? null : known.nextRefresh(),
                known.unsaved(), known.failingSince(), known.failedRefreshes(), failure,
                state.acquiring() || state.replacing(), known.storeProblem());
    }
}
