package io.tokenbroker.token;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.RedisOutageMode;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.platform.IssuedToken;
import io.tokenbroker.platform.PlatformException;
import io.tokenbroker.platform.PlatformTokenSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The broker's core: hands out each client's current token from memory while it is fresh, and
 * otherwise makes this replica join one acquisition shared by all its callers.
 */
@ApplicationScoped
public class TokenBroker {

    private static final Logger LOG = Logger.getLogger(TokenBroker.class);
    private static final Duration LONGEST_JITTER = Duration.ofSeconds(2);

    private final Map<String, ClientTokenState> clients = new TreeMap<>();
    private final TokenAcquirer acquirer;
    private final TokenStore store;
    private final PlatformTokenSource platform;
    private final Clock clock;
    private final Duration refreshAhead;
    private final Duration jitter;
    private final Duration validFor;
    private final RedisOutageMode outageMode;
    private final Executor executor = Infrastructure.getDefaultWorkerPool();

    TokenBroker(BrokerConfig config, TokenAcquirer acquirer, TokenStore store, PlatformTokenSource platform,
            Clock clock, BrokerMetrics metrics) {
        config.clients().keySet().forEach(name -> clients.put(name, new ClientTokenState(name)));
        clients.values().forEach(state -> metrics.watchToken(state.client(), state::current));
        this.acquirer = acquirer;
        this.store = store;
        this.platform = platform;
        this.clock = clock;
        this.refreshAhead = config.token().refreshAhead();
        Duration tenth = refreshAhead.dividedBy(10);
        this.jitter = tenth.compareTo(LONGEST_JITTER) < 0 ? tenth : LONGEST_JITTER;
        this.validFor = config.token().handedOutFor();
        this.outageMode = config.redisOutage();
        store.listen(this::storeUpdated);
    }

    /**
     * The client's token if this replica holds one that may be handed out now, else {@code null}: the
     * hot path's answer, with no Uni to build (see {@link #currentToken} for the rest).
     *
     * @throws UnknownClientException if no such client is configured
     */
    public TokenRecord servableNow(String client) {
        TokenRecord known = state(client).current();
        return known != null && known.servableAtMillis(clock.millis()) ? known : null;
    }

    /**
     * The client's current token. Completes at once when this replica holds a fresh one; otherwise
     * when the shared acquisition ends.
     *
     * @throws UnknownClientException if no such client is configured
     */
    public Uni<TokenRecord> currentToken(String client) {
        ClientTokenState state = state(client);
        TokenRecord fresh = servableNow(client);
        if (fresh != null) {
            return Uni.createFrom().item(fresh);
        }
        return shared(state, () -> acquirer.acquire(client, TokenRecord.MINIMUM_REMAINING, knownGeneration(state)));
    }

    /**
     * Replaces the client's token if {@code rejected} is still its current one; otherwise returns the
     * current token without calling the platform.
     */
    public Uni<TokenRecord> replaceRejected(String client, String rejected) {
        ClientTokenState state = state(client);
        TokenRecord known = state.current();
        if (known != null && !known.token().equals(rejected) && known.servableAt(clock.instant())) {
            return Uni.createFrom().item(known);
        }
        return replaceAttempt(state, rejected, 3);
    }

    /** A report may join the flight of another token's report: then ours is tried again, a few times. */
    private Uni<TokenRecord> replaceAttempt(ClientTokenState state, String rejected, int attemptsLeft) {
        Supplier<TokenRecord> replacement = () -> acquirer.replace(state.client(), rejected, knownGeneration(state));
        return Uni.createFrom().completionStage(() -> state.replaceOnce(() -> adoptResult(state, replacement), executor))
                .onFailure(CompletionException.class).transform(Throwable::getCause)
                .flatMap(record -> {
                    if (!record.token().equals(rejected)) {
                        return Uni.createFrom().item(record);
                    }
                    return attemptsLeft > 1 ? replaceAttempt(state, rejected, attemptsLeft - 1)
                            : Uni.createFrom().failure(new TokenUnavailableException(
                                    "the rejected token could not be replaced yet", Duration.ofSeconds(1)));
                });
    }

    /** Every client's state, for the periodic maintenance. */
    Collection<ClientTokenState> states() {
        return clients.values();
    }

    /** Starts {@code acquisition} unless one runs; all callers share its result, which this replica adopts. */
    CompletableFuture<TokenRecord> startShared(ClientTokenState state, Supplier<TokenRecord> acquisition) {
        return state.acquireOnce(() -> adoptResult(state, acquisition), executor);
    }

    /** Adopts a record another replica announced, read from the store. */
    void adoptStored(ClientTokenState state, TokenRecord stored) {
        state.adopt(stored, true, refreshAhead, jitter, clock.instant());
    }

    /** The highest generation this replica knows of a client: new leases are numbered above it. */
    static long knownGeneration(ClientTokenState state) {
        TokenRecord known = state.current();
        return known == null ? 0 : known.generation();
    }

    private Uni<TokenRecord> shared(ClientTokenState state, Supplier<TokenRecord> acquisition) {
        return Uni.createFrom().completionStage(() -> startShared(state, acquisition))
                .onFailure(CompletionException.class).transform(Throwable::getCause);
    }

    private TokenRecord adoptResult(ClientTokenState state, Supplier<TokenRecord> acquisition) {
        TokenRecord record;
        boolean saved = true;
        try {
            record = acquisition.get();
        } catch (PlatformException | TokenUnavailableException | RefreshTooSoonException known) {
            throw known;
        } catch (UnsavedTokenException unsaved) {
            LOG.warnf("Client %s: %s; serving it and writing it back later", state.client(), unsaved.getMessage());
            record = unsaved.record();
            saved = false;
        } catch (RuntimeException storeFailure) {
            record = withoutStore(state, storeFailure);
            saved = false;
        }
        state.adopt(record, saved, refreshAhead, jitter, clock.instant());
        TokenRecord current = state.current();
        return current != null && current.servableAt(clock.instant()) ? current : record;
    }

    private TokenRecord withoutStore(ClientTokenState state, RuntimeException storeFailure) {
        String client = state.client();
        if (outageMode == RedisOutageMode.FAIL) {
            LOG.errorf("Client %s: the token store failed (%s)", client, storeFailure.getClass().getName());
            throw new TokenUnavailableException("the token store is unavailable", Duration.ofSeconds(2));
        }
        TokenRecord known = state.current();
        LOG.warnf("Client %s: the token store failed (%s); obtaining a token locally (broker.redis-outage=local)",
                client, storeFailure.getClass().getName());
        IssuedToken issued = platform.fetch(client);
        long generation = known == null ? 1 : known.generation() + 1;
        return new TokenRecord(issued.token(), issued.requestedAt(), issued.requestedAt().plus(validFor), generation);
    }

    private void storeUpdated(String client) {
        ClientTokenState state = clients.get(client);
        if (state == null) {
            return;
        }
        executor.execute(() -> {
            try {
                store.read(client).ifPresent(stored -> adoptStored(state, stored));
            } catch (RuntimeException e) {
                LOG.debugf("Client %s: could not read the announced record (%s)", client, e.getClass().getSimpleName());
            }
        });
    }

    private ClientTokenState state(String client) {
        ClientTokenState state = clients.get(client);
        if (state == null) {
            throw new UnknownClientException(client);
        }
        return state;
    }
}
