package io.tokenbroker.token;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness with each client's token state. A replica stays ready while the platform or Redis fails:
 * it still serves valid tokens or can try to obtain one, and pulling every replica out of the
 * Service at once would turn a degraded broker into a dead one. The data says what is degraded. A
 * store never reached since start is another matter (a wrong host, port or password): not ready.
 */
@Readiness
@ApplicationScoped
class TokenReadinessCheck implements HealthCheck {

    private final TokenBroker broker;
    private final TokenMaintenance maintenance;
    private final Clock clock;

    TokenReadinessCheck(TokenBroker broker, TokenMaintenance maintenance, Clock clock) {
        this.broker = broker;
        this.maintenance = maintenance;
        this.clock = clock;
    }

    @Override
    public HealthCheckResponse call() {
        Instant now = clock.instant();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("tokens").up();
        if (maintenance.storeReachable()) {
            response.withData("store", "reachable");
        } else if (maintenance.storeEverReached()) {
            response.withData("store", "unreachable (serving from memory): " + maintenance.storeFailure());
        } else {
            // Never reached since start: a wrong host, port or password, not an outage to ride out.
            response.down().withData("store", "never reached since start: " + maintenance.storeFailure());
        }
        String unconfirmed = maintenance.storeReachable() ? ""
                : "; unconfirmed: the store is unreachable, so a newer token may exist";
        for (ClientTokenState state : broker.states()) {
            response.withData("client." + state.client(), describe(state, now) + unconfirmed);
        }
        return response.build();
    }

    private static String describe(ClientTokenState state, Instant now) {
        ClientTokenState.Known known = state.known();
        String stored = known.storeProblem() == null ? ""
                : "; the stored record is refused (" + known.storeProblem() + ") and is replaced under the lock";
        TokenRecord current = known.token();
        if (current == null || !current.servableAt(now.toEpochMilli())) {
            ClientTokenState.FailureNote failure = state.lastFailure();
            String failed = failure == null || failure.recovered() ? ""
                    : "; failing since " + failure.since() + ", last at " + failure.at() + " (" + failure.kind() + ")";
            return (current == null ? "no token yet (obtained on first request)" : "expired") + failed + stored;
        }
        String fresh = "valid for " + current.remainingAt(now).toSeconds() + "s"
                + (known.unsaved() ? ", not yet in the store" : "");
        return (known.failingSince() == null ? fresh
                : "degraded: refreshing fails since " + known.failingSince() + ", " + fresh) + stored;
    }
}
