package io.tokenbroker.store;

import io.tokenbroker.token.ForcedRefreshClaim;
import io.tokenbroker.token.ForcedRefreshLimits;
import io.tokenbroker.token.Lease;
import io.tokenbroker.token.LockHolder;
import io.tokenbroker.token.StoredRecord;
import io.tokenbroker.token.TokenRecord;
import io.tokenbroker.token.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A store inside this process, for dev mode without Redis: the same contract as Redis, but shared
 * with no other replica, so it is for a single replica only.
 */
public final class InMemoryTokenStore implements TokenStore {

    private final ConcurrentMap<String, TokenRecord> records = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, HeldLock> locks = new ConcurrentHashMap<>();
    private final AtomicLong fences = new AtomicLong();
    private final ConcurrentMap<String, Forced> forced = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Spent> callerRefreshes = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final UpdateSignals signals = new UpdateSignals();
    private final Duration lease;
    private final Clock clock;

    private record HeldLock(Lease lease, Instant until) {
    }

    /** A client's forced refreshes: the claim's end, the floor ({@code null}: the base), what the last produced, the day's count. */
    private record Forced(Instant claimUntil, Duration floor, long produced, int today, Instant dayUntil) {

        static final Forced NONE = new Forced(Instant.MIN, null, -1, 0, Instant.MIN);
    }

    /** A caller's forced refreshes in its current window. */
    private record Spent(int count, Instant until) {
    }

    public InMemoryTokenStore(Duration lease, Clock clock) {
        this.lease = lease;
        this.clock = clock;
    }

    @Override
    public StoredRecord read(String client) {
        TokenRecord record = records.get(client);
        if (record == null || !record.expiresAt().isAfter(clock.instant())) {
            return StoredRecord.absent();
        }
        return StoredRecord.of(record, Long.toString(record.generation()));
    }

    @Override
    public synchronized Optional<Lease> tryLock(String client, long knownGeneration) {
        Instant now = clock.instant();
        HeldLock held = locks.get(client);
        if (held != null && held.until().isAfter(now)) {
            return Optional.empty();
        }
        fences.accumulateAndGet(knownGeneration, Math::max);
        Lease granted = new Lease(UUID.randomUUID().toString(), fences.incrementAndGet());
        locks.put(client, new HeldLock(granted, now.plus(lease)));
        return Optional.of(granted);
    }

    @Override
    public synchronized Optional<LockHolder> lockHolder(String client) {
        Instant now = clock.instant();
        HeldLock held = locks.get(client);
        return held == null || !held.until().isAfter(now) ? Optional.empty()
                : Optional.of(new LockHolder(held.lease().owner(), Duration.between(now, held.until())));
    }

    @Override
    public synchronized boolean renew(String client, Lease held) {
        HeldLock current = locks.get(client);
        if (current == null || !current.lease().equals(held)) {
            return false;
        }
        locks.put(client, new HeldLock(held, clock.instant().plus(lease)));
        return true;
    }

    /**
     * The same limits as {@code forced.lua} keeps in Redis: one claim per floor, the floor doubled when
     * the token being replaced is the one the last forced refresh produced, at most a budget a day.
     */
    @Override
    public synchronized ForcedRefreshClaim claimForcedRefresh(String client, long rejectedGeneration,
            long producedGeneration, ForcedRefreshLimits limits) {
        Instant now = clock.instant();
        Forced forced = this.forced.getOrDefault(client, Forced.NONE);
        if (!forced.dayUntil().isAfter(now)) {
            forced = new Forced(forced.claimUntil(), forced.floor(), forced.produced(), 0, now.plus(ForcedRefreshLimits.DAY));
        }
        int left = limits.perDay() - forced.today();
        if (forced.claimUntil().isAfter(now)) {
            return new ForcedRefreshClaim(false, Duration.between(now, forced.claimUntil()), left, false);
        }
        if (left <= 0) {
            return new ForcedRefreshClaim(false, Duration.between(now, forced.dayUntil()), 0, true);
        }
        Duration floor = forced.floor() == null ? limits.floor() : forced.floor();
        if (forced.produced() == rejectedGeneration) {
            floor = floor.multipliedBy(2);
        }
        floor = floor.compareTo(limits.floor()) < 0 ? limits.floor()
                : floor.compareTo(limits.longestFloor()) > 0 ? limits.longestFloor() : floor;
        this.forced.put(client, new Forced(now.plus(floor), floor, producedGeneration, forced.today() + 1,
                forced.dayUntil()));
        return new ForcedRefreshClaim(true, floor, left - 1, false);
    }

    @Override
    public synchronized void forgetForcedRefresh(String client) {
        Forced forced = this.forced.get(client);
        if (forced != null) {
            this.forced.put(client, new Forced(Instant.MIN, forced.floor(), forced.produced(),
                    Math.max(0, forced.today() - 1), forced.dayUntil()));
        }
    }

    @Override
    public synchronized void forcedRefreshHelped(String client, Duration floor) {
        Forced forced = this.forced.get(client);
        if (forced != null) {
            Instant latest = clock.instant().plus(floor);
            this.forced.put(client, new Forced(forced.claimUntil().isAfter(latest) ? latest : forced.claimUntil(), null,
                    -1, forced.today(), forced.dayUntil()));
        }
    }

    @Override
    public synchronized boolean spendCallerRefresh(String caller, int max, Duration window) {
        Instant now = clock.instant();
        Spent spent = callerRefreshes.get(caller);
        if (spent == null || !spent.until().isAfter(now)) {
            spent = new Spent(0, now.plus(window));
        }
        if (spent.count() >= max) {
            return false;
        }
        callerRefreshes.put(caller, new Spent(spent.count() + 1, spent.until()));
        return true;
    }

    @Override
    public synchronized void giveBackCallerRefresh(String caller) {
        callerRefreshes.computeIfPresent(caller, (name, spent) -> new Spent(Math.max(0, spent.count() - 1), spent.until()));
    }

    @Override
    public void listen(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public synchronized void release(String client, Lease held) {
        locks.computeIfPresent(client, (name, current) -> current.lease().equals(held) ? null : current);
    }

    @Override
    public boolean write(String client, TokenRecord record, StoredRecord replacing) {
        boolean[] stored = {false};
        records.compute(client, (name, current) -> {
            boolean live = current != null && current.expiresAt().isAfter(clock.instant());
            if (live && !Long.toString(current.generation()).equals(replacing.version())) {
                return current;
            }
            stored[0] = true;
            return record;
        });
        if (stored[0]) {
            signals.signal(client);
            listeners.forEach(listener -> listener.accept(client));
        }
        return stored[0];
    }

    @Override
    public void awaitUpdate(String client, Duration max) throws InterruptedException {
        signals.await(client, max);
    }

    @Override
    public String describe() {
        return "memory (broker.store=memory: this replica only, tokens are not shared)";
    }
}
