package io.tokenbroker.store;

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
    private final ConcurrentMap<String, Instant> forcedRefreshes = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final UpdateSignals signals = new UpdateSignals();
    private final Duration lease;
    private final Clock clock;

    private record HeldLock(Lease lease, Instant until) {
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

    @Override
    public boolean claimForcedRefresh(String client, Duration interval) {
        Instant now = clock.instant();
        boolean[] claimed = {false};
        forcedRefreshes.compute(client, (name, until) -> {
            if (until != null && until.isAfter(now)) {
                return until;
            }
            claimed[0] = true;
            return now.plus(interval);
        });
        return claimed[0];
    }

    @Override
    public void forgetForcedRefresh(String client) {
        forcedRefreshes.remove(client);
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
