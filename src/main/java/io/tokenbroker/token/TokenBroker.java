package io.tokenbroker.token;

import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.RedisOutageMode;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.platform.IssuedToken;
import io.tokenbroker.platform.TokenIssuer;
import io.tokenbroker.support.Ticker;
import io.tokenbroker.tracing.Spans;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The broker's core: hands out each client's current token from memory while it is fresh, and
 * otherwise makes this replica join one acquisition shared by all its callers.
 */
@Singleton
public class TokenBroker {

    private static final Logger LOG = Logger.getLogger(TokenBroker.class);
    private static final Duration LONGEST_JITTER = Duration.ofSeconds(2);

    private final Map<String, ClientTokenState> clients = new TreeMap<>();
    private final TokenAcquirer acquirer;
    private final TokenStore store;
    private final TokenIssuer platform;
    private final Clock clock;
    private final Ticker ticker;
    private final PeerRecords peers;
    private final Duration refreshAhead;
    private final Duration jitter;
    private final Duration validFor;
    private final RedisOutageMode outageMode;
    private final Duration localCallFloor;
    private final Executor executor = Infrastructure.getDefaultWorkerPool();
    private final Spans spans;

    TokenBroker(BrokerConfig config, TokenAcquirer acquirer, TokenStore store, TokenIssuer platform,
            Clock clock, Ticker ticker, BrokerMetrics metrics, Spans spans, PeerRecords peers) {
        this.ticker = ticker;
        this.peers = peers;
        this.spans = spans;
        config.clients().keySet().forEach(name -> clients.put(name, new ClientTokenState(name)));
        clients.values().forEach(state -> metrics.watchForcedRefreshBudget(state.client(),
                config.token().maxForcedRefreshesPerDay()));
        clients.values().forEach(state -> metrics.watchToken(state.client(),
                () -> timeOf(state, TokenRecord::acquiredAt), () -> timeOf(state, TokenRecord::expiresAt)));
        this.acquirer = acquirer;
        this.store = store;
        this.platform = platform;
        this.clock = clock;
        this.refreshAhead = config.token().refreshAhead();
        Duration tenth = refreshAhead.dividedBy(10);
        this.jitter = tenth.compareTo(LONGEST_JITTER) < 0 ? tenth : LONGEST_JITTER;
        this.validFor = config.token().handedOutFor();
        this.outageMode = config.redisOutage();
        this.localCallFloor = config.token().minForcedRefreshInterval();
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
        return known != null && known.servableAt(clock.millis()) ? known : null;
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
        return shared(state, () -> acquirer.acquire(state, TokenRecord.MINIMUM_REMAINING, knownGeneration(state)));
    }

    /**
     * Replaces the client's token if {@code rejected} is still its current one; otherwise returns the
     * current token without calling the platform.
     *
     * @param caller who reports it: each caller may force only so many platform calls per floor
     */
    public Uni<TokenRecord> replaceRejected(String client, String rejected, String caller) {
        ClientTokenState state = state(client);
        TokenRecord known = state.current();
        if (known != null && !known.token().equals(rejected) && known.servableAt(clock.millis())) {
            return Uni.createFrom().item(known);
        }
        long rejectedGeneration = known != null && known.token().equals(rejected) ? known.generation() : 0;
        return replaceAttempt(state, rejected, rejectedGeneration, caller, 3);
    }

    /** A report may join the flight of another token's report: then ours is tried again, a few times. */
    private Uni<TokenRecord> replaceAttempt(ClientTokenState state, String rejected, long rejectedGeneration,
            String caller, int attemptsLeft) {
        Supplier<Acquisition> replacement = () -> acquirer.replace(state, rejected, rejectedGeneration,
                knownGeneration(state), caller);
        return Uni.createFrom()
                .completionStage(() -> state.replaceOnce(() -> adoptResult(state, replacement, rejected), executor))
                .onFailure(CompletionException.class).transform(Throwable::getCause)
                .flatMap(record -> {
                    if (!record.token().equals(rejected)) {
                        return Uni.createFrom().item(record);
                    }
                    if (attemptsLeft > 1) {
                        return replaceAttempt(state, rejected, rejectedGeneration, caller, attemptsLeft - 1);
                    }
                    return Uni.createFrom().failure(new TokenUnavailableException(
                            "the rejected token could not be replaced yet", Duration.ofSeconds(1)));
                });
    }

    /**
     * A call sent again with the token a forced refresh produced went through: the refusal was about the
     * token after all, so the client's floor, raised while refusals repeated, goes back to its base.
     * Costs the store one command per raised floor, never one per call.
     */
    public void rotationHelped(String client) {
        ClientTokenState state = state(client);
        if (state.takeRaisedFloor()) {
            executor.execute(() -> {
                try {
                    store.forcedRefreshHelped(client, localCallFloor);
                } catch (StoreUnavailableException e) {
                    LOG.debugf("Client %s: could not reset the forced-refresh floor (%s)", client, e.getMessage());
                }
            });
        }
    }

    /**
     * The token this replica holds for the client, fresh or not, or {@code null} before the first.
     *
     * @throws UnknownClientException if no such client is configured
     */
    public TokenRecord held(String client) {
        return state(client).current();
    }

    /**
     * Replaces the client's token now, for an operator: the held token is treated as refused, so the
     * same compare-and-set, floors and per-caller budget apply as to {@code POST /token/refresh}, and
     * one platform call serves every replica. Without a token yet, it is the first acquisition.
     *
     * @param operator the admin caller who asked, counted against its own budget
     */
    public Uni<TokenRecord> rotate(String client, String operator) {
        TokenRecord known = held(client);
        return known == null ? currentToken(client) : replaceRejected(client, known.token(), operator);
    }

    /**
     * {@link #rotate}, waiting at most {@code wait} for it (call it off the event loop).
     *
     * @throws TokenUnavailableException if it did not finish in time: the platform or the lock is slow
     */
    public TokenRecord rotateNow(String client, String operator, Duration wait) {
        return rotate(client, operator).ifNoItem().after(wait).failWith(() -> new TokenUnavailableException(
                "the rotation did not finish within " + wait.toSeconds() + "s", Duration.ofSeconds(5)))
                .await().indefinitely();
    }

    /** What this replica knows of every client's token, for operators (never the tokens themselves). */
    public List<TokenStateReport> reports() {
        return clients.values().stream().map(TokenStateReport::of).toList();
    }

    /**
     * What this replica knows of one client's token.
     *
     * @throws UnknownClientException if no such client is configured
     */
    public TokenStateReport report(String client) {
        return TokenStateReport.of(state(client));
    }

    /** Every client's state, for the periodic maintenance. */
    Collection<ClientTokenState> states() {
        return clients.values();
    }

    /** Starts {@code acquisition} unless one runs; all callers share its result, which this replica adopts. */
    CompletableFuture<TokenRecord> startShared(ClientTokenState state, Supplier<Acquisition> acquisition) {
        return state.acquireOnce(() -> adoptResult(state, acquisition, null), executor);
    }

    /** Adopts a record read from the store, if it is newer than the one held. */
    void adoptStored(ClientTokenState state, TokenRecord stored) {
        state.adopt(stored, true, refreshAhead, jitter, clock.instant());
    }

    /** The highest generation this replica knows of a client: new leases are numbered above it. */
    static long knownGeneration(ClientTokenState state) {
        TokenRecord known = state.current();
        return known == null ? 0 : known.generation();
    }

    private Uni<TokenRecord> shared(ClientTokenState state, Supplier<Acquisition> acquisition) {
        return Uni.createFrom().completionStage(() -> startShared(state, acquisition))
                .onFailure(CompletionException.class).transform(Throwable::getCause);
    }

    /**
     * Runs an acquisition and adopts what it ended with. Only a store outage leads down the outage path;
     * any other failure reaches the callers as it is. Traced as the root of a trace of its own: one
     * acquisition serves every caller waiting for it, and refreshes ahead of expiry have no caller.
     *
     * @param rejected the token a forced refresh replaces, or {@code null}
     */
    private TokenRecord adoptResult(ClientTokenState state, Supplier<Acquisition> acquisition, String rejected) {
        return spans.inNewTrace("token acquisition", state.client(), () -> adopt(state, acquisition, rejected));
    }

    private TokenRecord adopt(ClientTokenState state, Supplier<Acquisition> acquisition, String rejected) {
        Acquisition result;
        try {
            result = run(state, acquisition, rejected);
        } catch (RuntimeException failure) {
            String kind = Failures.kind(failure);
            if (kind != null) {
                state.failed(kind, clock.instant());
            }
            throw failure;
        }
        state.succeeded();
        state.adopt(result.record(), result.saved(), refreshAhead, jitter, clock.instant());
        Span.current().setAttribute(Spans.FORCED, rejected != null)
                .setAttribute(Spans.GENERATION, result.record().generation())
                .setAttribute(Spans.SAVED, result.saved());
        TokenRecord current = state.current();
        return current != null && current.servableAt(clock.millis()) ? current : result.record();
    }

    private Acquisition run(ClientTokenState state, Supplier<Acquisition> acquisition, String rejected) {
        try {
            return acquisition.get();
        } catch (StoreUnavailableException outage) {
            return withoutStore(state, outage, rejected);
        }
    }

    /**
     * The store is down before this replica could take the lock. {@code fail}: no token without Redis.
     * {@code local}: keep serving a valid token nobody reported; otherwise call the platform without
     * the lock, at most once per replica per {@code broker.token.min-forced-refresh-interval}, since
     * replicas calling in turn would knock each other's tokens out.
     */
    private Acquisition withoutStore(ClientTokenState state, StoreUnavailableException outage, String rejected) {
        String client = state.client();
        if (acquirer.closing()) {
            // The Redis client closing under a shutdown looks like an outage: never a reason to call.
            throw new TokenUnavailableException("the broker is shutting down", Duration.ofSeconds(1));
        }
        if (outageMode == RedisOutageMode.FAIL) {
            LOG.errorf("Client %s: %s", client, outage.getMessage());
            throw new TokenUnavailableException("the token store is unavailable", Duration.ofSeconds(2));
        }
        Optional<TokenRecord> learned = learnFromPeers(state, rejected);
        if (learned.isPresent()) {
            return new Acquisition(learned.get(), false);
        }
        TokenRecord known = state.current();
        Instant now = clock.instant();
        boolean usable = known != null && known.servableAt(now.toEpochMilli()) && !known.token().equals(rejected);
        long nowMillis = ticker.millis();
        if (!state.claimLocalCall(nowMillis, localCallFloor)) {
            if (usable) {
                return new Acquisition(known, !state.unsaved());
            }
            long waitMillis = localCallFloor.toMillis() - (nowMillis - state.lastLocalCallMillis());
            throw new TokenUnavailableException("the token store is unavailable and this replica called the "
                    + "platform without it moments ago", Duration.ofMillis(Math.max(1000, waitMillis)));
        }
        LOG.warnf("Client %s: %s; obtaining a token without the lock (broker.redis-outage=local)", client,
                outage.getMessage());
        IssuedToken issued = platform.issue(client, () -> true);
        long generation = known == null ? 1 : known.generation() + 1;
        return new Acquisition(new TokenRecord(issued.token(), issued.requestedAt(),
                issued.requestedAt().plus(validFor), generation), false);
    }

    /**
     * A token newer than the one held (and not the {@code rejected} one) that a peer holds: with the store
     * out of reach, the peers are the second source of the newest token, asked before the platform is
     * called, so that a replica cut off from Redis never kills a token its peers are serving.
     */
    private Optional<TokenRecord> learnFromPeers(ClientTokenState state, String rejected) {
        if (!peers.configured()) {
            return Optional.empty();
        }
        TokenRecord known = state.current();
        Optional<TokenRecord> learned = Optional.ofNullable(peers.newest(List.of(state.client())).get(state.client()))
                .filter(record -> record.newerThan(known) && !record.token().equals(rejected)
                        && record.servableAt(clock.millis()));
        learned.ifPresent(record -> LOG.infof("Client %s: the store is unreachable; a peer holds generation %d, "
                + "served instead of calling the platform", state.client(), record.generation()));
        return learned;
    }

    /**
     * Adopts what the peers hold of every client this replica holds a token of, if newer: the periodic
     * check's second source while the store is unreachable, so that a rotation another replica made is
     * served here within a check or two.
     */
    void adoptFromPeers() {
        if (!peers.configured()) {
            return;
        }
        List<String> held = clients.values().stream().filter(state -> state.current() != null)
                .map(ClientTokenState::client).toList();
        peers.newest(held).forEach((client, record) -> {
            ClientTokenState state = clients.get(client);
            if (record.newerThan(state.current())) {
                LOG.infof("Client %s: the store is unreachable; adopting generation %d from a peer", client,
                        record.generation());
                state.adopt(record, false, refreshAhead, jitter, clock.instant());
            }
        });
    }

    /** A record was published: one look at the store per client however many messages arrive. */
    private void storeUpdated(String client) {
        ClientTokenState state = clients.get(client);
        if (state == null || !state.queueSync()) {
            return;
        }
        executor.execute(() -> {
            state.syncStarted();
            try {
                store.read(client).present().ifPresent(stored -> adoptStored(state, stored));
            } catch (StoreUnavailableException e) {
                LOG.debugf("Client %s: could not read the announced record (%s)", client, e.getMessage());
            }
        });
    }

    private static Instant timeOf(ClientTokenState state, Function<TokenRecord, Instant> time) {
        TokenRecord current = state.current();
        return current == null ? null : time.apply(current);
    }

    private ClientTokenState state(String client) {
        ClientTokenState state = clients.get(client);
        if (state == null) {
            throw new UnknownClientException(client);
        }
        return state;
    }
}
