package io.tokenbroker.admin;

import io.tokenbroker.platform.PlatformTokenSource;
import io.tokenbroker.proxy.CallsInFlight;
import io.tokenbroker.token.StoreUnavailableException;
import io.tokenbroker.token.TokenBroker;
import io.tokenbroker.token.TokenStateReport;
import io.tokenbroker.token.TokenStore;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Puts together what operators see of each client: this replica's token state, the platform's
 * circuit breaker, the lock holder read from the store (blocking: call it off the event loop) and the
 * business calls in flight.
 */
@Singleton
class TokenStateView {

    private final TokenBroker broker;
    private final PlatformTokenSource platform;
    private final TokenStore store;
    private final CallsInFlight callsInFlight;

    TokenStateView(TokenBroker broker, PlatformTokenSource platform, TokenStore store, CallsInFlight callsInFlight) {
        this.broker = broker;
        this.platform = platform;
        this.store = store;
        this.callsInFlight = callsInFlight;
    }

    /** Every configured client, in name order. */
    List<ClientStateView> all() {
        return broker.reports().stream().map(this::view).toList();
    }

    /**
     * One client.
     *
     * @throws io.tokenbroker.token.UnknownClientException if no such client is configured
     */
    ClientStateView of(String client) {
        return view(broker.report(client));
    }

    private ClientStateView view(TokenStateReport report) {
        String client = report.client();
        return new ClientStateView(report, platform.breakerState(client), lock(client), callsInFlight.count(client));
    }

    private ClientStateView.Lock lock(String client) {
        try {
            return store.lockHolder(client).map(ClientStateView.Lock::of).orElse(null);
        } catch (StoreUnavailableException e) {
            return ClientStateView.Lock.unknown("the store is unreachable");
        }
    }
}
