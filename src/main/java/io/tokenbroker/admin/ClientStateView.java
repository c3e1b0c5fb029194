package io.tokenbroker.admin;

import io.tokenbroker.token.LockHolder;
import io.tokenbroker.token.TokenStateReport;
import java.time.Instant;

/**
 * One client's token state as operators see it on the management interface: the replica's own
 * knowledge, its circuit breaker, the shared lock and the business calls in flight. Never the token.
 *
 * @param client the client's name
 * @param fingerprint the held token's fingerprint ({@code sha256:…}), or {@code null} before the first
 * @param generation the held token's generation (0 before the first)
 * @param acquiredAt when the platform was asked for it
 * @param servedUntil until when it is handed out
 * @param nextRefresh when it is refreshed ahead of expiry
 * @param unsaved whether it was obtained during a store outage and is not in the store yet
 * @param refreshFailingSince since when refreshing ahead fails, or {@code null}
 * @param lastFailure the last failed acquisition, or {@code null}
 * @param breaker the platform circuit breaker: {@code closed}, {@code open} or {@code half-open}
 * @param lock who holds the client's refresh lock, {@code null} when nobody does
 * @param acquiring whether this replica is acquiring a token now
 * @param businessCallsInFlight business calls of the client this replica has in flight
 * @param storeProblem why the stored record was refused at the last look, or {@code null}
 */
public record ClientStateView(String client, String fingerprint, long generation, Instant acquiredAt,
        Instant servedUntil, Instant nextRefresh, boolean unsaved, Instant refreshFailingSince, Failure lastFailure,
        String breaker, Lock lock, boolean acquiring, int businessCallsInFlight, String storeProblem) {

    /**
     * The last failed acquisition: its kind, when it happened, and since when acquisitions have failed
     * in a row ({@code null} once one succeeded again).
     */
    public record Failure(String kind, Instant at, Instant failingSince) {
    }

    /**
     * The refresh lock: its holder and how long the lease still runs ({@code null}: no expiry), or,
     * when the store could not be read, only why.
     */
    public record Lock(String holder, Long expiresInMillis, String unknownBecause) {

        static Lock of(LockHolder holder) {
            return new Lock(holder.owner(), holder.remaining() == null ? null : holder.remaining().toMillis(), null);
        }

        static Lock unknown(String why) {
            return new Lock(null, null, why);
        }
    }

    static ClientStateView of(TokenStateReport report, String breaker, Lock lock, int businessCallsInFlight) {
        Failure failure = report.lastFailureKind() == null ? null
                : new Failure(report.lastFailureKind(), report.lastFailureAt(), report.failingSince());
        return new ClientStateView(report.client(), report.fingerprint(), report.generation(), report.acquiredAt(),
                report.servedUntil(), report.nextRefresh(), report.unsaved(), report.refreshFailingSince(), failure,
                breaker, lock, report.acquiring() || report.replacing(), businessCallsInFlight, report.storeProblem());
    }
}
