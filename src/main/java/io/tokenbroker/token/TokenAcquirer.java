package io.tokenbroker.token;

import io.quarkus.runtime.ShutdownEvent;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.platform.IssuedToken;
import io.tokenbroker.platform.PlatformTokenSource;
import io.tokenbroker.security.TokenFingerprint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Obtains a client's next token across all replicas: whoever holds the client's lock calls the
 * platform once and stores the result; everyone else waits for that record. The holder renews its
 * lease while it works. Blocking: run it on a worker thread.
 */
@ApplicationScoped
class TokenAcquirer {

    private static final Logger LOG = Logger.getLogger(TokenAcquirer.class);
    private static final Duration FIRST_WAIT = Duration.ofMillis(20);
    private static final Duration LONGEST_WAIT = Duration.ofMillis(500);

    private final TokenStore store;
    private final PlatformTokenSource platform;
    private final Clock clock;
    private final Duration validFor;
    private final Duration waitTimeout;
    private final Duration leaseTime;
    private final Duration minForcedInterval;
    private final Map<String, Lease> held = new ConcurrentHashMap<>();
    private final BrokerMetrics metrics;
    private final ScheduledExecutorService renewals = DaemonThreads.scheduler("lock-lease-renewal");

    TokenAcquirer(TokenStore store, PlatformTokenSource platform, Clock clock, BrokerConfig config,
            BrokerMetrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.platform = platform;
        this.clock = clock;
        this.validFor = config.token().handedOutFor();
        this.waitTimeout = config.lock().waitTimeout();
        this.leaseTime = config.lock().lease();
        this.minForcedInterval = config.token().minForcedRefreshInterval();
    }

    /**
     * A record of {@code client} with at least {@code atLeast} left: the stored one if it qualifies,
     * otherwise a new one from the platform, obtained by this replica or another.
     */
    TokenRecord acquire(String client, Duration atLeast, long knownGeneration) {
        return obtain(client, record -> record.remainingAt(clock.instant()).compareTo(atLeast) >= 0, false,
                knownGeneration);
    }

    /**
     * A record of {@code client} whose token is not {@code rejected}: the stored one if the token was
     * already replaced, otherwise a new one (one platform call per generation across all replicas).
     *
     * @throws RefreshTooSoonException if the client was force-refreshed less than the minimum interval ago
     */
    TokenRecord replace(String client, String rejected, long knownGeneration) {
        return obtain(client, record -> !record.token().equals(rejected) && record.servableAt(clock.instant()), true,
                knownGeneration);
    }

    /**
     * Writes back a record this replica obtained or kept while the store was down, unless the store
     * holds one at least as new; returns whichever the store holds afterwards.
     */
    Optional<TokenRecord> writeBack(String client, TokenRecord local) {
        Optional<Lease> lease = tryLock(client, local.generation());
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        try {
            Optional<TokenRecord> stored = store.read(client);
            if (stored.isPresent() && stored.get().generation() >= local.generation()) {
                return stored;
            }
            TokenRecord numbered = local.withGeneration(Math.max(local.generation(), lease.get().fence()));
            if (store.write(client, numbered)) {
                LOG.infof("Client %s: wrote back generation %d to the store", client, numbered.generation());
                return Optional.of(numbered);
            }
            return store.read(client);
        } finally {
            release(client, lease.get());
        }
    }

    private TokenRecord obtain(String client, Predicate<TokenRecord> goodEnough, boolean forced,
            long knownGeneration) {
        Instant deadline = clock.instant().plus(waitTimeout);
        Duration wait = FIRST_WAIT;
        while (true) {
            Optional<TokenRecord> stored = store.read(client).filter(goodEnough);
            if (stored.isPresent()) {
                return stored.get();
            }
            Optional<Lease> lease = tryLock(client, knownGeneration);
            if (lease.isPresent()) {
                Optional<TokenRecord> obtained = underLock(client, goodEnough, forced, lease.get());
                if (obtained.isPresent()) {
                    return obtained.get();
                }
            }
            Duration left = Duration.between(clock.instant(), deadline);
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

    private Optional<TokenRecord> underLock(String client, Predicate<TokenRecord> goodEnough, boolean forced,
            Lease lease) {
        ScheduledFuture<?> renewal = renewals.scheduleAtFixedRate(() -> renew(client, lease),
                leaseTime.toMillis() / 3, leaseTime.toMillis() / 3, TimeUnit.MILLISECONDS);
        try {
            Optional<TokenRecord> stored = store.read(client);
            if (stored.filter(goodEnough).isPresent()) {
                return stored;
            }
            boolean claimed = forced && stored.isPresent();
            if (claimed && !store.claimForcedRefresh(client, minForcedInterval)) {
                metrics.forcedRefresh(client, "refused");
                throw new RefreshTooSoonException(client, minForcedInterval);
            }
            if (forced) {
                metrics.forcedRefresh(client, "performed");
            }
            TokenRecord record = fetch(client, lease, claimed);
            if (write(client, record)) {
                LOG.infof("Client %s: stored token %s generation %d, handed out until %s%s", client,
                        TokenFingerprint.of(record.token()), record.generation(), record.expiresAt(),
                        forced ? " (forced refresh)" : "");
                return Optional.of(record);
            }
            LOG.infof("Client %s: a newer generation than %d was stored meanwhile; using it",
                    client, record.generation());
            return store.read(client).filter(goodEnough);
        } finally {
            renewal.cancel(false);
            release(client, lease);
        }
    }

    private TokenRecord fetch(String client, Lease lease, boolean claimedForcedRefresh) {
        try {
            IssuedToken issued = platform.fetch(client);
            return new TokenRecord(issued.token(), issued.requestedAt(), issued.requestedAt().plus(validFor),
                    lease.fence());
        } catch (RuntimeException failed) {
            if (claimedForcedRefresh) {
                store.forgetForcedRefresh(client);
            }
            throw failed;
        }
    }

    /** Stores a token just obtained; if the store fails now, the token is kept, never fetched again. */
    private boolean write(String client, TokenRecord record) {
        try {
            return store.write(client, record);
        } catch (RuntimeException storeFailure) {
            throw new UnsavedTokenException(record, storeFailure);
        }
    }

    private void renew(String client, Lease lease) {
        try {
            if (!store.renew(client, lease)) {
                LOG.warnf("Client %s: lost the refresh lock while obtaining a token; fencing keeps a newer "
                        + "generation from being overwritten", client);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Client %s: could not renew the refresh lock (%s)", client, e.getClass().getSimpleName());
        }
    }

    private Optional<Lease> tryLock(String client, long knownGeneration) {
        Optional<Lease> lease = store.tryLock(client, knownGeneration);
        lease.ifPresent(l -> held.put(client, l));
        return lease;
    }

    private void release(String client, Lease lease) {
        held.remove(client, lease);
        try {
            store.release(client, lease);
        } catch (RuntimeException e) {
            // The lease runs out by itself; the failure that matters is the one already propagating.
            LOG.warnf("Client %s: could not release the refresh lock (%s); it expires with its lease",
                    client, e.getClass().getSimpleName());
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

    /** Gives back every lock this replica holds, so another replica need not wait out the lease. */
    void releaseAll(@Observes ShutdownEvent shutdown) {
        held.forEach(this::release);
        renewals.shutdownNow();
    }
}
