package io.tokenbroker.token;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.quarkus.runtime.ShutdownEvent;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.platform.CallWithdrawnException;
import io.tokenbroker.platform.CredentialsRejectedException;
import io.tokenbroker.platform.IssuedToken;
import io.tokenbroker.platform.PlatformUnavailableException;
import io.tokenbroker.platform.TokenIssuer;
import io.tokenbroker.support.DaemonThreads;
import io.tokenbroker.support.Ticker;
import io.tokenbroker.support.TokenFingerprint;
import io.tokenbroker.tracing.Spans;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Obtains a client's next token across all replicas: whoever holds the client's lock calls the
 * platform once and stores the result by compare-and-set; everyone else waits for that record. The
 * holder renews its lease while it works and never calls the platform once the lease is in doubt.
 * Blocking: run it on a worker thread. A store outage before the lock is held surfaces as
 * {@link StoreUnavailableException}; after the platform issued a token, it never loses the token.
 */
@ApplicationScoped
class TokenAcquirer {

    private static final Logger LOG = Logger.getLogger(TokenAcquirer.class);
    private static final Duration FIRST_WAIT = Duration.ofMillis(20);
    private static final Duration LONGEST_WAIT = Duration.ofMillis(500);
    private static final Duration LONGEST_SHUTDOWN_WAIT = Duration.ofSeconds(15);

    private final TokenStore store;
    private final TokenIssuer platform;
    private final Clock clock;
    private final Ticker ticker;
    private final Duration validFor;
    private final Duration waitTimeout;
    private final Duration leaseTime;
    private final Duration minForcedInterval;
    private final int maxForcedPerCaller;
    private final ForcedRefreshLimits forcedLimits;
    private final Duration shutdownWait;
    private final Map<String, HeldLease> held = new ConcurrentHashMap<>();
    /** What each configured caller may still force: bounded by the configuration. */
    private final Map<String, CallerRefreshBudget> callerBudgets;
    private final BrokerMetrics metrics;
    private final ScheduledExecutorService renewals = DaemonThreads.scheduler("lock-lease-renewal");
    private final Spans spans;
    private volatile boolean closing;

    TokenAcquirer(TokenStore store, TokenIssuer platform, Clock clock, Ticker ticker, BrokerConfig config,
            BrokerMetrics metrics, Spans spans) {
        this.ticker = ticker;
        this.metrics = metrics;
        this.spans = spans;
        this.store = store;
        this.platform = platform;
        this.clock = clock;
        this.validFor = config.token().handedOutFor();
        this.waitTimeout = config.lock().waitTimeout();
        this.leaseTime = config.lock().lease();
        this.minForcedInterval = config.token().minForcedRefreshInterval();
        this.maxForcedPerCaller = config.token().maxForcedRefreshesPerCaller();
        this.forcedLimits = new ForcedRefreshLimits(minForcedInterval, config.token().longestForcedRefreshInterval(),
                config.token().maxForcedRefreshesPerDay());
        this.callerBudgets = config.callers().keySet().stream().collect(Collectors.toUnmodifiableMap(name -> name,
                name -> new CallerRefreshBudget(config.token().maxForcedRefreshesPerCaller(), minForcedInterval)));
        Duration callAndMargin = config.platform().lateAnswerTimeout().plusSeconds(1);
        this.shutdownWait = callAndMargin.compareTo(LONGEST_SHUTDOWN_WAIT) < 0 ? callAndMargin : LONGEST_SHUTDOWN_WAIT;
    }

    /**
     * A record of the client with at least {@code atLeast} left: the stored one if it qualifies,
     * otherwise a new one from the platform, obtained by this replica or another.
     */
    Acquisition acquire(ClientTokenState state, Duration atLeast, long knownGeneration) {
        return obtain(state, record -> record.remainingAt(clock.instant()).compareTo(atLeast) >= 0, null,
                knownGeneration, true);
    }

    /**
     * {@link #acquire} for the refresh ahead of expiry: nobody waits for it, so a slow platform is waited
     * for as long as {@code broker.platform.late-answer-timeout} allows, never given up on at the callers'
     * time-out.
     */
    Acquisition acquireAhead(ClientTokenState state, Duration atLeast, long knownGeneration) {
        return obtain(state, record -> record.remainingAt(clock.instant()).compareTo(atLeast) >= 0, null,
                knownGeneration, false);
    }

    /**
     * A record of the client newer than the {@code rejected} token: the stored one if the token was
     * already replaced, otherwise a new one (one platform call across all replicas).
     *
     * @param rejectedGeneration the rejected token's generation, or 0 when this replica never held it
     * @throws RefreshTooSoonException if the client was force-refreshed less than the minimum interval ago
     */
    Acquisition replace(ClientTokenState state, String rejected, long rejectedGeneration, long knownGeneration,
            String caller) {
        return obtain(state, record -> !record.token().equals(rejected) && record.generation() > rejectedGeneration
                && record.servableAt(clock.millis()), new Forced(caller, rejected, rejectedGeneration), knownGeneration,
                true);
    }

    /**
     * Writes back a token this replica holds that the store lacks or holds an older one of (an outage,
     * Redis restarted empty or from an old snapshot, a failover that lost the last write), unless the
     * store holds a newer one. The token is renumbered above every generation handed out before.
     *
     * @return what the store holds afterwards; nothing if another replica holds the lock
     */
    Optional<TokenRecord> writeBack(String client, TokenRecord local) {
        Optional<HeldLease> lease = tryLock(client, local.generation());
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        try {
            StoredRecord stored = store.read(client);
            Optional<TokenRecord> kept = stored.present()
                    .filter(r -> r.generation() > local.generation() || r.token().equals(local.token()));
            if (kept.isPresent()) {
                return kept;
            }
            TokenRecord numbered = local.withGeneration(lease.get().fence());
            if (write(client, numbered, stored)) {
                LOG.infof("Client %s: wrote back token %s as generation %d (the store held %s)", client,
                        TokenFingerprint.of(local.token()), numbered.generation(), describe(stored));
                return Optional.of(numbered);
            }
            return store.read(client).present();
        } finally {
            release(client, lease.get());
        }
    }

    /**
     * A forced refresh: who asked, and the token it replaces.
     *
     * @param rejectedGeneration the refused token's generation, 0 when unknown to this replica
     */
    private record Forced(String caller, String rejected, long rejectedGeneration) {

        /** The refused token's generation, learned from the store's record when this replica never held it. */
        long generationIn(StoredRecord stored) {
            return stored.present().filter(r -> r.token().equals(rejected)).map(TokenRecord::generation)
                    .orElse(rejectedGeneration);
        }
    }

    /** @param forced the forced refresh this is, or {@code null} for an acquisition on demand or ahead */
    private Acquisition obtain(ClientTokenState state, Predicate<TokenRecord> goodEnough, Forced forced,
            long knownGeneration, boolean callersWait) {
        String client = state.client();
        long deadline = ticker.nanos() + waitTimeout.toNanos();
        Duration wait = FIRST_WAIT;
        while (true) {
            StoredRecord stored = store.read(client);
            if (stored.present().filter(goodEnough).isPresent()) {
                return new Acquisition(stored.record(), true);
            }
            Optional<HeldLease> lease = tryLock(client, Math.max(knownGeneration, stored.generation()));
            if (lease.isPresent()) {
                Optional<Acquisition> obtained = underLock(state, goodEnough, forced, lease.get(), callersWait);
                if (obtained.isPresent()) {
                    return obtained.get();
                }
            }
            Duration left = Duration.ofNanos(deadline - ticker.nanos());
            if (left.isNegative() || left.isZero()) {
                throw new TokenUnavailableException(
                        "another replica is obtaining the token and did not finish in time", Duration.ofSeconds(1));
            }
            if (wait.equals(FIRST_WAIT)) {
                metrics.lockWait(client);
            }
            awaitUpdate(client, wait.compareTo(left) < 0 ? wait : left);
            wait = wait.multipliedBy(2).compareTo(LONGEST_WAIT) < 0 ? wait.multipliedBy(2) : LONGEST_WAIT;
        }
    }

    private Optional<Acquisition> underLock(ClientTokenState state, Predicate<TokenRecord> goodEnough,
            Forced forced, HeldLease lease, boolean callersWait) {
        String client = state.client();
        long period = Math.max(1, leaseTime.toMillis() / 3);
        ScheduledFuture<?> renewal = renewals.scheduleAtFixedRate(() -> lease.renew(store), period, period,
                TimeUnit.MILLISECONDS);
        boolean leftToRunOut = false;
        try {
            StoredRecord stored = readUnderLock(client);
            if (stored.present().filter(goodEnough).isPresent()) {
                return Optional.of(new Acquisition(stored.record(), true));
            }
            // Every forced platform call counts against the floor, whatever the store holds: a value
            // made unreadable again and again must not buy a caller one call per report.
            long claimedAt = ticker.millis();
            if (forced != null) {
                claimForcedRefresh(state, forced.caller(), claimedAt, forced.generationIn(stored), lease.fence());
                metrics.forcedRefresh(client, forced.caller(), "performed");
            }
            TokenRecord record;
            ScheduledFuture<?> patience = callersWait ? releaseWaitersIfSlow(state) : null;
            try {
                IssuedToken issued = platform.issue(client, lease::valid);
                record = new TokenRecord(issued.token(), issued.requestedAt(), issued.requestedAt().plus(validFor),
                        lease.fence());
            } catch (RuntimeException failed) {
                if (forced != null && issuedNothing(failed)) {
                    forgetForcedRefresh(state, forced.caller(), claimedAt);
                }
                if (failed instanceof CallWithdrawnException) {
                    // The lease ran out before the platform was called: wait for the next holder's record.
                    return Optional.empty();
                }
                if (failed instanceof PlatformUnavailableException lost && lost.answerLost()) {
                    keepUntilLeaseEnds(client, lease);
                    leftToRunOut = true;
                }
                throw failed;
            } finally {
                if (patience != null) {
                    patience.cancel(false);
                }
            }
            return Optional.of(keep(client, record, stored, lease, forced != null));
        } finally {
            renewal.cancel(false);
            if (!leftToRunOut) {
                release(client, lease);
            }
        }
    }

    /**
     * Whether a failed call certainly issued no token, so its forced-refresh claim may be given back; after
     * a time-out or an unreadable answer a token may exist, and the floor stands.
     */
    private static boolean issuedNothing(RuntimeException failed) {
        return failed instanceof CallWithdrawnException || failed instanceof CredentialsRejectedException
                || failed instanceof PlatformUnavailableException unavailable && unavailable.issuedNothing();
    }

    /**
     * Lets the callers of this acquisition go with a 503 once the platform is slower than it is expected
     * to be ({@link TokenIssuer#answerWithin}), while the call goes on under the renewed lease: whatever
     * token it brings is the platform's newest, and is stored and served.
     */
    private ScheduledFuture<?> releaseWaitersIfSlow(ClientTokenState state) {
        Duration patience = platform.answerWithin(state.client());
        return renewals.schedule(() -> {
            metrics.platformCall(state.client(), "timeout");
            LOG.warnf("Client %s: the platform has not answered within %d ms; its callers get 503 while the call "
                    + "goes on, and the token it brings will be served", state.client(), patience.toMillis());
            state.releaseWaiters(new TokenUnavailableException("the platform has not answered yet; the token it "
                    + "issues will be served", Duration.ofSeconds(2)));
        }, patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A call whose answer was lost may still have issued a token, which may still reach the platform's
     * other callers' view: the lock is not given back but left to run out with its lease, so no replica
     * calls the platform again at once and kills what the lost call issued.
     */
    private void keepUntilLeaseEnds(String client, HeldLease lease) {
        lease.end();
        held.remove(client, lease);
        LOG.warnf("Client %s: the platform's answer was lost; the refresh lock is left to run out (%s) before "
                + "any replica calls again", client, leaseTime);
    }

    /** Under the lock a store that cannot be read is no reason to stop: the write decides later. */
    private StoredRecord readUnderLock(String client) {
        try {
            return store.read(client);
        } catch (StoreUnavailableException e) {
            LOG.warnf("Client %s: %s while holding the lock; obtaining the token anyway", client, e.getMessage());
            return StoredRecord.absent();
        }
    }

    /**
     * The caller's own budget first (in memory: it bounds what one caller can make this replica do; then
     * across replicas), then the client's floor in this replica's memory (so it holds while Redis is
     * unreachable), then the client's floor and daily budget across replicas in Redis.
     */
    private void claimForcedRefresh(ClientTokenState state, String caller, long nowMillis, long rejectedGeneration,
            long producedGeneration) {
        String client = state.client();
        CallerRefreshBudget budget = callerBudgets.get(caller);
        if (budget != null && (!budget.take(nowMillis) || !spendSharedCallerRefresh(caller, budget, nowMillis))) {
            metrics.forcedRefresh(client, caller, "refused");
            throw RefreshTooSoonException.forCaller(caller, minForcedInterval);
        }
        if (!state.claimForcedCall(nowMillis, minForcedInterval)) {
            refuse(state, caller, nowMillis, RefreshTooSoonException.forClient(client, minForcedInterval));
        }
        ForcedRefreshClaim claim;
        try {
            claim = store.claimForcedRefresh(client, rejectedGeneration, producedGeneration, forcedLimits);
        } catch (StoreUnavailableException e) {
            LOG.debugf("Client %s: %s; the forced-refresh floor holds in memory", client, e.getMessage());
            return;
        }
        metrics.forcedRefreshesLeftToday(client, claim.leftToday());
        if (claim.granted()) {
            state.forcedFloorRaised(claim.after().compareTo(minForcedInterval) > 0);
            if (claim.after().compareTo(minForcedInterval) > 0) {
                LOG.infof("Client %s: the token the last forced refresh produced was refused again: the next "
                        + "forced refresh waits %d s (the refusals are likely not about the token)", client,
                        claim.after().toSeconds());
            }
            return;
        }
        state.forgetForcedCall(nowMillis);
        refuse(state, caller, nowMillis, claim.budgetSpent()
                ? RefreshTooSoonException.forDailyBudget(client, forcedLimits.perDay(), claim.after())
                : RefreshTooSoonException.forClient(client, claim.after()));
    }

    /** The caller's budget across replicas; while Redis is unreachable its budget in memory stands alone. */
    private boolean spendSharedCallerRefresh(String caller, CallerRefreshBudget budget, long nowMillis) {
        try {
            if (store.spendCallerRefresh(caller, maxForcedPerCaller, minForcedInterval)) {
                return true;
            }
        } catch (StoreUnavailableException e) {
            LOG.debugf("Caller %s: %s; its forced-refresh budget holds in memory", caller, e.getMessage());
            return true;
        }
        budget.giveBack(nowMillis);
        return false;
    }

    private void refuse(ClientTokenState state, String caller, long nowMillis, RefreshTooSoonException refusal) {
        giveBack(caller, nowMillis);
        metrics.forcedRefresh(state.client(), caller, "refused");
        throw refusal;
    }

    private void forgetForcedRefresh(ClientTokenState state, String caller, long claimedAtMillis) {
        giveBack(caller, claimedAtMillis);
        state.forgetForcedCall(claimedAtMillis);
        try {
            store.forgetForcedRefresh(state.client());
        } catch (StoreUnavailableException e) {
            LOG.debugf("Client %s: %s; the claim runs out by itself", state.client(), e.getMessage());
        }
    }

    /** A caller that is not configured (none can be, past authentication) has no budget of its own. */
    private void giveBack(String caller, long takenAtMillis) {
        CallerRefreshBudget budget = callerBudgets.get(caller);
        if (budget == null) {
            return;
        }
        budget.giveBack(takenAtMillis);
        try {
            store.giveBackCallerRefresh(caller);
        } catch (StoreUnavailableException e) {
            LOG.debugf("Caller %s: %s; its spent refresh runs out with the window", caller, e.getMessage());
        }
    }

    /**
     * Stores a token just obtained, replacing what the holder read. If a newer holder stored meanwhile
     * (this replica lost its lease), theirs is kept; if the store fails, the token is kept unsaved and
     * written back later: it is never fetched again.
     */
    private Acquisition keep(String client, TokenRecord record, StoredRecord read, HeldLease lease, boolean forced) {
        try {
            if (write(client, record, read)) {
                LOG.infof("Client %s: stored token %s generation %d, handed out until %s%s", client,
                        TokenFingerprint.of(record.token()), record.generation(), record.expiresAt(),
                        forced ? " (forced refresh)" : "");
                return new Acquisition(record, true);
            }
            StoredRecord now = store.read(client);
            if (now.present().filter(r -> r.generation() >= record.generation()).isPresent()) {
                LOG.warnf("Client %s: generation %d was stored while this replica obtained %d; keeping the newer",
                        client, now.generation(), record.generation());
                return new Acquisition(now.record(), true);
            }
            if (lease.valid() && write(client, record, now)) {
                return new Acquisition(record, true);
            }
        } catch (StoreUnavailableException e) {
            LOG.warnf("Client %s: %s after the platform issued a token; serving it and writing it back later",
                    client, e.getMessage());
        }
        return new Acquisition(record, false);
    }

    /** Whether this replica is shutting down: it starts no platform call, with or without the lock. */
    boolean closing() {
        return closing;
    }

    private Optional<HeldLease> tryLock(String client, long knownGeneration) {
        if (closing) {
            throw new TokenUnavailableException("the broker is shutting down", Duration.ofSeconds(1));
        }
        long requestedAt = ticker.nanos();
        Optional<HeldLease> lease = spans.within("token lock", SpanKind.INTERNAL, client, () -> {
            Optional<HeldLease> granted = store.tryLock(client, knownGeneration)
                    .map(l -> new HeldLease(client, l, leaseTime, requestedAt, ticker));
            Span.current().setAttribute(Spans.GRANTED, granted.isPresent());
            return granted;
        });
        lease.ifPresent(l -> held.put(client, l));
        return lease;
    }

    /** {@link TokenStore#write}, as a span of the acquisition it belongs to. */
    private boolean write(String client, TokenRecord record, StoredRecord replaced) {
        return spans.within("token store write", SpanKind.INTERNAL, client, () -> {
            boolean written = store.write(client, record, replaced);
            Span.current().setAttribute(Spans.GENERATION, record.generation()).setAttribute(Spans.WRITTEN, written);
            return written;
        });
    }

    private void release(String client, HeldLease lease) {
        lease.end();
        held.remove(client, lease);
        try {
            store.release(client, lease.lease());
        } catch (StoreUnavailableException e) {
            // The lease runs out by itself; the failure that matters is the one already propagating.
            LOG.warnf("Client %s: could not release the refresh lock (%s); it expires with its lease",
                    client, e.getMessage());
        }
    }

    private void awaitUpdate(String client, Duration max) {
        try {
            store.awaitUpdate(client, max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenUnavailableException("interrupted while waiting for the token", Duration.ofSeconds(1));
        }
    }

    private static String describe(StoredRecord stored) {
        if (stored.unreadable()) {
            return "an unreadable value: " + stored.problem();
        }
        return stored.present().map(r -> "generation " + r.generation()).orElse("nothing");
    }

    /**
     * Takes no new lock, lets a platform call under a held lock finish (bounded by the platform's
     * time-out), then gives back every lock still held, so another replica need not wait out the lease
     * and never calls the platform while this replica's call may still issue a token. Observed first
     * ({@code @Priority(1)}): later shutdown observers tear down the HTTP client the call runs on.
     */
    void releaseAll(@Observes @Priority(1) ShutdownEvent shutdown) {
        closing = true;
        long deadline = System.nanoTime() + shutdownWait.toNanos();
        while (!held.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        held.forEach(this::release);
        renewals.shutdownNow();
    }
}
