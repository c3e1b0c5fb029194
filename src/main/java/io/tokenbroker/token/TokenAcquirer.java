package io.tokenbroker.token;

import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.platform.IssuedToken;
import io.tokenbroker.platform.PlatformTokenSource;
import io.tokenbroker.store.Lease;
import io.tokenbroker.store.TokenRecord;
import io.tokenbroker.store.TokenStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Obtains a client's next token across all replicas: whoever holds the client's lock calls the
 * platform once and stores the result; everyone else waits for that record. Blocking: run it on a
 * worker thread.
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

    TokenAcquirer(TokenStore store, PlatformTokenSource platform, Clock clock, BrokerConfig config) {
        this.store = store;
        this.platform = platform;
        this.clock = clock;
        this.validFor = config.token().lifetime().minus(config.token().safetyMargin());
        this.waitTimeout = config.lock().waitTimeout();
    }

    /**
     * A record of {@code client} with at least {@code atLeast} left: the stored one if it qualifies,
     * otherwise a new one from the platform, obtained by this replica or another.
     */
    TokenRecord acquire(String client, Duration atLeast) {
        Instant deadline = clock.instant().plus(waitTimeout);
        Duration wait = FIRST_WAIT;
        while (true) {
            Optional<TokenRecord> stored = usable(client, atLeast);
            if (stored.isPresent()) {
                return stored.get();
            }
            Optional<Lease> lease = store.tryLock(client);
            if (lease.isPresent()) {
                Optional<TokenRecord> obtained = underLock(client, atLeast, lease.get());
                if (obtained.isPresent()) {
                    return obtained.get();
                }
            }
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                throw new TokenUnavailableException(
                        "another replica is obtaining the token and did not finish in time", Duration.ofSeconds(1));
            }
            awaitUpdate(client, wait.compareTo(left) < 0 ? wait : left);
            wait = wait.multipliedBy(2).compareTo(LONGEST_WAIT) < 0 ? wait.multipliedBy(2) : LONGEST_WAIT;
        }
    }

    private Optional<TokenRecord> underLock(String client, Duration atLeast, Lease lease) {
        try {
            Optional<TokenRecord> stored = usable(client, atLeast);
            if (stored.isPresent()) {
                return stored;
            }
            IssuedToken issued = platform.fetch(client);
            TokenRecord record = new TokenRecord(issued.token(), issued.requestedAt(),
                    issued.requestedAt().plus(validFor), lease.fence());
            if (store.write(client, record)) {
                LOG.infof("Client %s: stored token generation %d, handed out until %s",
                        client, record.generation(), record.expiresAt());
                return Optional.of(record);
            }
            LOG.infof("Client %s: a newer generation than %d was stored meanwhile; using it",
                    client, record.generation());
            return usable(client, TokenRecord.MINIMUM_REMAINING);
        } finally {
            release(client, lease);
        }
    }

    private void release(String client, Lease lease) {
        try {
            store.release(client, lease);
        } catch (RuntimeException e) {
            // The lease runs out by itself; the failure that matters is the one already propagating.
            LOG.warnf("Client %s: could not release the refresh lock (%s); it expires with its lease",
                    client, e.getClass().getSimpleName());
        }
    }

    private Optional<TokenRecord> usable(String client, Duration atLeast) {
        Instant now = clock.instant();
        return store.read(client).filter(r -> r.remainingAt(now).compareTo(atLeast) >= 0);
    }

    private void awaitUpdate(String client, Duration max) {
        try {
            store.awaitUpdate(client, max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenUnavailableException("interrupted while waiting for the token", Duration.ofSeconds(1));
        }
    }
}
