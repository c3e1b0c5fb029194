package io.tokenbroker.token;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.RedisOutageMode;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.support.DaemonThreads;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Keeps every client's token fresh in the background, once per {@code broker.token.check-interval}:
 * refreshes ahead of expiry (with jitter, so replicas do not race for the lock), backs off while the
 * platform fails (the current token is served meanwhile), adopts records other replicas stored, and
 * writes a token back when Redis returns empty or after an outage.
 */
@ApplicationScoped
class TokenMaintenance {

    private static final Logger LOG = Logger.getLogger(TokenMaintenance.class);
    private static final int CLOCK_CHECK_SECONDS = 10;

    private final TokenBroker broker;
    private final TokenAcquirer acquirer;
    private final TokenStore store;
    private final Clock clock;
    private final Duration refreshAhead;
    private final Duration interval;
    private final ScheduledExecutorService ticker = DaemonThreads.scheduler("token-maintenance");
    /**
     * Asks the peers while the store is out of reach, apart from the check, which a silent link to
     * Redis holds for its read time-out: a rotation a peer made is served here within a check or two.
     */
    private final ScheduledExecutorService peerTicker = DaemonThreads.scheduler("peer-records");
    private final BrokerMetrics metrics;
    private final Duration clockWarning;
    private final boolean localOutage;
    private volatile boolean storeReachable = true;
    private volatile boolean storeEverReached;
    private volatile String storeFailure;
    private long nextClockCheckNanos = System.nanoTime();
    private boolean clockWarned;

    TokenMaintenance(TokenBroker broker, TokenAcquirer acquirer, TokenStore store, Clock clock, BrokerConfig config,
            BrokerMetrics metrics) {
        this.metrics = metrics;
        this.clockWarning = config.token().safetyMargin().dividedBy(2);
        this.broker = broker;
        this.acquirer = acquirer;
        this.store = store;
        this.clock = clock;
        this.refreshAhead = config.token().refreshAhead();
        this.localOutage = config.redisOutage() == RedisOutageMode.LOCAL;
        this.interval = config.token().checkInterval();
    }

    /** Whether the last look at the store succeeded (true before the first). */
    boolean storeReachable() {
        return storeReachable;
    }

    /** Whether any look at the store has succeeded since start: a store never reached is likely misconfigured. */
    boolean storeEverReached() {
        return storeEverReached;
    }

    /** What the store's last failure said (where it is and what it answered), or {@code null}. */
    String storeFailure() {
        return storeReachable ? null : storeFailure;
    }

    void start(@Observes StartupEvent start) {
        ticker.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        peerTicker.scheduleWithFixedDelay(this::askPeers, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        ticker.shutdownNow();
        peerTicker.shutdownNow();
    }

    private void askPeers() {
        if (storeReachable) {
            return;
        }
        try {
            broker.adoptFromPeers();
        } catch (RuntimeException e) {
            LOG.debugf("Could not adopt the peers' records (%s)", e.getClass().getSimpleName());
        }
    }

    private void tick() {
        try {
            store.heal();
        } catch (RuntimeException e) {
            LOG.debugf("Could not restore the store's subscription (%s)", e.getClass().getSimpleName());
        }
        checkClock();
        Map<String, StoredRecord> stored = readHeldClients();
        for (ClientTokenState state : broker.states()) {
            try {
                maintain(state, stored);
            } catch (RuntimeException e) {
                LOG.debugf("Client %s: maintenance failed (%s)", state.client(), e.getClass().getSimpleName());
            }
        }
    }

    /**
     * Measures this host's clock against the store's every {@value #CLOCK_CHECK_SECONDS} s: one command,
     * however many clients. Warns once while the offset exceeds half the safety margin, beyond which a
     * replica whose clock runs behind would hand out tokens past their end.
     */
    private void checkClock() {
        long now = System.nanoTime();
        if (now - nextClockCheckNanos < 0) {
            return;
        }
        nextClockCheckNanos = now + TimeUnit.SECONDS.toNanos(CLOCK_CHECK_SECONDS);
        try {
            store.clockOffset().ifPresent(offset -> {
                metrics.clockOffset(offset);
                boolean far = offset.abs().compareTo(clockWarning) > 0;
                if (far && !clockWarned) {
                    LOG.warnf("This host's clock is %d ms %s Redis' clock, more than half the safety margin: "
                            + "synchronise the hosts' clocks (NTP)", offset.abs().toMillis(),
                            offset.isNegative() ? "behind" : "ahead of");
                } else if (!far && clockWarned) {
                    LOG.infof("This host's clock is within %d ms of Redis' clock again", offset.abs().toMillis());
                }
                clockWarned = far;
            });
        } catch (StoreUnavailableException e) {
            LOG.debugf("Could not read the store's clock (%s)", e.getMessage());
        }
    }

    /**
     * What the store holds for every client this replica holds a token of, all read at once, so
     * the check costs about one round trip however many clients are configured.
     *
     * @return the records, or {@code null} when the store is unreachable
     */
    private Map<String, StoredRecord> readHeldClients() {
        List<String> held = broker.states().stream().filter(state -> state.current() != null)
                .map(ClientTokenState::client).toList();
        try {
            Map<String, StoredRecord> stored;
            if (held.isEmpty()) {
                store.ping(); // nothing to read, but readiness must say whether the store answers
                stored = Map.of();
            } else {
                stored = store.readAll(held);
            }
            if (!storeReachable) {
                LOG.infof("The token store is reachable again (%s)", store.describe());
            }
            storeReachable = true;
            storeEverReached = true;
            return stored;
        } catch (StoreUnavailableException e) {
            if (storeReachable || !e.getMessage().equals(storeFailure)) {
                LOG.warnf("%s; %s", e.getMessage(), storeEverReached ? "serving tokens from memory"
                        : "it has not been reached since start: check quarkus.redis.hosts and its password");
            }
            storeFailure = e.getMessage();
            storeReachable = false;
            return null;
        }
    }

    private void maintain(ClientTokenState state, Map<String, StoredRecord> allStored) {
        TokenRecord known = state.current();
        if (known == null || state.acquiring()) {
            return;
        }
        StoredRecord stored = allStored == null ? null : allStored.get(state.client());
        if (stored != null) {
            syncWithStore(state, known, stored);
        }
        // A write-back may have started; otherwise refresh ahead, but not while the store is out of reach
        // (broker.redis-outage=local would call the platform without the lock, and replicas doing so in
        // turn would kill each other's tokens): the token is served to its end, then replaced on demand.
        if (state.acquiring() || !state.refreshDue(clock.instant()) || allStored == null && localOutage) {
            return;
        }
        TokenRecord due = state.current();
        broker.startShared(state, () -> acquirer.acquireAhead(state, refreshAhead, TokenBroker.knownGeneration(state)))
                .whenComplete((record, failure) -> {
                    if (failure != null && state.current() == due) {
                        state.refreshFailed(clock.instant());
                        LOG.warnf("Client %s: refreshing ahead of expiry failed (%s); the current token is "
                                + "served until it expires", state.client(), Failures.describe(failure));
                    }
                });
    }

    /**
     * Newer wins, by generation: adopts a newer stored record, or writes this replica's valid token
     * back when the store lacks it, holds something unreadable, or holds an older token (a restored
     * snapshot, a failover that lost the last write). A value sealed with a key this replica lacks is
     * never written over from here: it is most likely a peer's newer token after a key rotation done
     * out of order, and writing ours back would make the two replicas overwrite each other forever.
     */
    private void syncWithStore(ClientTokenState state, TokenRecord known, StoredRecord stored) {
        reportProblem(state, stored);
        Optional<TokenRecord> adoptable = stored.present()
                .filter(record -> record.newerThan(known) || record.token().equals(known.token()));
        if (adoptable.isPresent()) {
            if (!stored.writerAhead().isZero() && adoptable.get().newerThan(known)) {
                metrics.skewedRecord(state.client());
                LOG.infof("Client %s: adopting generation %d, written by a host whose clock is %d ms %s this one's",
                        state.client(), adoptable.get().generation(), stored.writerAhead().abs().toMillis(),
                        stored.writerAhead().isNegative() ? "behind" : "ahead of");
            }
            // A copy of our own token marks it saved; a newer one replaces it.
            broker.adoptStored(state, adoptable.get());
        } else if (known.servableAt(clock.millis()) && !stored.sealedWithUnknownKey()) {
            writeBack(state, known);
        }
    }

    private static void reportProblem(ClientTokenState state, StoredRecord stored) {
        String before = state.known().storeProblem();
        if (stored.unreadable() && !stored.problem().equals(before)) {
            if (stored.sealedWithUnknownKey()) {
                LOG.errorf("Client %s: the stored record is sealed with a key this replica lacks (%s): give every "
                        + "replica the same broker.store.*encryption-key settings; this replica serves its own "
                        + "token meanwhile and does not write it over the record", state.client(), stored.problem());
            } else {
                LOG.warnf("Client %s: the stored record is refused (%s); it is replaced under the lock",
                        state.client(), stored.problem());
            }
        }
        state.storeProblem(stored.problem());
    }

    private void writeBack(ClientTokenState state, TokenRecord known) {
        broker.startShared(state, () -> {
            try {
                return acquirer.writeBack(state.client(), known)
                        .map(stored -> new Acquisition(stored, true))
                        .orElseGet(() -> new Acquisition(known, !state.unsaved()));
            } catch (StoreUnavailableException storeFailure) {
                // Never a reason to call the platform: the token in hand is valid; try again next check.
                return new Acquisition(known, false);
            }
        });
    }
}
