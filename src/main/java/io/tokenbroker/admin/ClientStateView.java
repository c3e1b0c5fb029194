package io.tokenbroker.admin;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tokenbroker.token.LockHolder;
import io.tokenbroker.token.TokenStateReport;

/**
 * One client's token state as operators see it on the management interface: what the replica knows
 * of the token (its fields, unwrapped), its circuit breaker, the shared lock and the business calls in
 * flight. Never the token.
 *
 * @param token this replica's knowledge of the client's token ({@link TokenStateReport})
 * @param breaker the platform circuit breaker: {@code closed}, {@code open} or {@code half-open}
 * @param lock who holds the client's refresh lock, {@code null} when nobody does
 * @param businessCallsInFlight business calls of the client this replica has in flight
 */
@RegisterForReflection
public record ClientStateView(@JsonUnwrapped TokenStateReport token, String breaker, Lock lock,
        int businessCallsInFlight) {

    /**
     * The refresh lock: its holder and how long the lease still runs ({@code null}: no expiry), or,
     * when the store could not be read, only why.
     */
    @RegisterForReflection
    public record Lock(String holder, Long expiresInMillis, String unknownBecause) {

        static Lock of(LockHolder holder) {
            return new Lock(holder.owner(), holder.remaining() == null ? null : holder.remaining().toMillis(), null);
        }

        static Lock unknown(String why) {
            return new Lock(null, null, why);
        }
    }
}
