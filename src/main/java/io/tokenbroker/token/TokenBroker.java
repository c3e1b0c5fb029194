package io.tokenbroker.token;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.platform.PlatformException;
import io.tokenbroker.store.TokenRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The broker's core: hands out each client's current token from memory while it is fresh, and
 * otherwise makes this replica join one acquisition shared by all its callers.
 */
@ApplicationScoped
public class TokenBroker {

    private static final Logger LOG = Logger.getLogger(TokenBroker.class);

    private final Map<String, ClientTokenState> clients = new TreeMap<>();
    private final TokenAcquirer acquirer;
    private final Clock clock;
    private final Duration refreshAhead;
    private final Executor executor = Infrastructure.getDefaultWorkerPool();

    TokenBroker(BrokerConfig config, TokenAcquirer acquirer, Clock clock) {
        config.clients().keySet().forEach(name -> clients.put(name, new ClientTokenState(name)));
        this.acquirer = acquirer;
        this.clock = clock;
        this.refreshAhead = config.token().refreshAhead();
    }

    /** Names of the configured clients. */
    public Set<String> clientNames() {
        return clients.keySet();
    }

    /**
     * The client's current token. Completes at once when this replica holds a fresh one; otherwise
     * when the shared acquisition ends.
     *
     * @throws UnknownClientException if no such client is configured
     */
    public Uni<TokenRecord> currentToken(String client) {
        ClientTokenState state = state(client);
        TokenRecord known = state.current();
        Instant now = clock.instant();
        if (known != null && known.servableAt(now)) {
            if (known.remainingAt(now).compareTo(refreshAhead) < 0 && !state.acquiring()) {
                refreshInBackground(state);
            }
            return Uni.createFrom().item(known);
        }
        return Uni.createFrom().completionStage(() -> acquire(state, TokenRecord.MINIMUM_REMAINING))
                .onFailure(CompletionException.class).transform(Throwable::getCause);
    }

    private void refreshInBackground(ClientTokenState state) {
        acquire(state, refreshAhead).exceptionally(failure -> {
            LOG.warnf("Client %s: refreshing ahead of expiry failed (%s); the current token is served meanwhile",
                    state.client(), describe(failure));
            return null;
        });
    }

    private CompletableFuture<TokenRecord> acquire(ClientTokenState state, Duration atLeast) {
        return state.acquireOnce(() -> acquireOrExplain(state.client(), atLeast), executor);
    }

    private TokenRecord acquireOrExplain(String client, Duration atLeast) {
        try {
            return acquirer.acquire(client, atLeast);
        } catch (PlatformException | TokenUnavailableException known) {
            throw known;
        } catch (RuntimeException storeFailure) {
            LOG.errorf("Client %s: the token store failed (%s)", client, storeFailure.getClass().getName());
            throw new TokenUnavailableException("the token store is unavailable", Duration.ofSeconds(2));
        }
    }

    private ClientTokenState state(String client) {
        ClientTokenState state = clients.get(client);
        if (state == null) {
            throw new UnknownClientException(client);
        }
        return state;
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof PlatformException || cause instanceof TokenUnavailableException
                ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
