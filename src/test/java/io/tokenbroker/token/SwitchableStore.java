package io.tokenbroker.token;

import io.tokenbroker.store.InMemoryTokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The in-memory store with an outage switch and a count of lock attempts, for fast tests of the
 * core's decisions. Down, every call fails as a Redis outage does.
 */
final class SwitchableStore implements TokenStore {

    private final InMemoryTokenStore store;
    private final AtomicInteger lockAttempts = new AtomicInteger();
    private volatile boolean down;
    private volatile boolean claimsDown;
    private volatile Runnable afterNextLock = () -> { };

    SwitchableStore(Duration lease, Clock clock) {
        this.store = new InMemoryTokenStore(lease, clock);
    }

    void down(boolean isDown) {
        this.down = isDown;
    }

    /** Only the shared forced-refresh floor fails (a Redis that lost the marker, say). */
    void claimsDown(boolean isDown) {
        this.claimsDown = isDown;
    }

    /** Runs {@code action} once, right after the next lock is granted (a pause of the holder, say). */
    void afterNextLock(Runnable action) {
        this.afterNextLock = action;
    }

    int lockAttempts() {
        return lockAttempts.get();
    }

    private void check() {
        if (down) {
            throw new StoreUnavailableException("reach Redis", new java.net.ConnectException("refused"));
        }
    }

    @Override
    public StoredRecord read(String client) {
        check();
        return store.read(client);
    }

    @Override
    public Optional<LockHolder> lockHolder(String client) {
        check();
        return store.lockHolder(client);
    }

    @Override
    public Optional<Lease> tryLock(String client, long knownGeneration) {
        check();
        lockAttempts.incrementAndGet();
        Optional<Lease> lease = store.tryLock(client, knownGeneration);
        if (lease.isPresent()) {
            Runnable action = afterNextLock;
            afterNextLock = () -> { };
            action.run();
        }
        return lease;
    }

    @Override
    public boolean renew(String client, Lease lease) {
        check();
        return store.renew(client, lease);
    }

    @Override
    public void release(String client, Lease lease) {
        check();
        store.release(client, lease);
    }

    @Override
    public boolean write(String client, TokenRecord record, StoredRecord replacing) {
        check();
        return store.write(client, record, replacing);
    }

    @Override
    public ForcedRefreshClaim claimForcedRefresh(String client, long rejectedGeneration, long producedGeneration,
            ForcedRefreshLimits limits) {
        check();
        if (claimsDown) {
            throw new StoreUnavailableException("claim a forced refresh", new java.net.ConnectException("refused"));
        }
        return store.claimForcedRefresh(client, rejectedGeneration, producedGeneration, limits);
    }

    @Override
    public void forgetForcedRefresh(String client) {
        check();
        store.forgetForcedRefresh(client);
    }

    @Override
    public void forcedRefreshHelped(String client, Duration floor) {
        check();
        store.forcedRefreshHelped(client, floor);
    }

    @Override
    public boolean spendCallerRefresh(String caller, int max, java.time.Duration window) {
        check();
        if (claimsDown) {
            throw new StoreUnavailableException("spend a caller's refresh", new java.net.ConnectException("refused"));
        }
        return store.spendCallerRefresh(caller, max, window);
    }

    @Override
    public void giveBackCallerRefresh(String caller) {
        check();
        store.giveBackCallerRefresh(caller);
    }

    @Override
    public void listen(Consumer<String> listener) {
        store.listen(listener);
    }

    @Override
    public void awaitUpdate(String client, Duration max) throws InterruptedException {
        store.awaitUpdate(client, max);
    }

    @Override
    public String describe() {
        return "a switchable in-memory store";
    }
}
