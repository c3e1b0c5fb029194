package io.tokenbroker.token;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Shared storage of every client's current token, with the lock that lets exactly one replica call
 * the platform at a time. Calls block: use them off the event loop. Every method reports an outage
 * as {@link StoreUnavailableException} and nothing else.
 */
public interface TokenStore {

    /** What is stored for the client; an expired, tampered or unreadable value is not a record. */
    StoredRecord read(String client);

    /**
     * What is stored for each of {@code clients}, in as few round trips as the store allows: the
     * periodic check reads every client at once, so its cost does not grow with their number.
     */
    default Map<String, StoredRecord> readAll(Collection<String> clients) {
        Map<String, StoredRecord> all = new HashMap<>();
        clients.forEach(client -> all.put(client, read(client)));
        return all;
    }

    /**
     * Takes the client's refresh lock for {@code broker.lock.lease}, if nobody holds it. The lease's
     * fencing number is above {@code knownGeneration} (the highest generation the caller verified)
     * and above every number handed out before; the stored record's own generation is not trusted.
     *
     * @return the lease, or nothing when another holder has the lock
     */
    Optional<Lease> tryLock(String client, long knownGeneration);

    /** Who holds the client's refresh lock now, if anyone: for operators, never for a decision. */
    Optional<LockHolder> lockHolder(String client);

    /** Extends {@code lease} by another {@code broker.lock.lease}; {@code false} if it was lost. */
    boolean renew(String client, Lease lease);

    /** Gives the lock back, if {@code lease} still holds it; never removes another holder's lock. */
    void release(String client, Lease lease);

    /**
     * Stores {@code record} if the store still holds what {@code replacing} saw (compare-and-set), or
     * nothing readable: a holder that lost its lease never overwrites what a newer holder stored.
     *
     * @return whether it was stored
     */
    boolean write(String client, TokenRecord record, StoredRecord replacing);

    /**
     * Claims the client's next forced refresh across all replicas: one per floor, which grows while the
     * token being replaced ({@code rejectedGeneration}) is the one the last forced refresh produced, and
     * at most {@link ForcedRefreshLimits#perDay()} a day.
     *
     * @param producedGeneration the generation the new token will have (the lease's fencing number)
     */
    ForcedRefreshClaim claimForcedRefresh(String client, long rejectedGeneration, long producedGeneration,
            ForcedRefreshLimits limits);

    /** Withdraws a claim whose forced refresh certainly issued nothing: the floor and a day's place back. */
    void forgetForcedRefresh(String client);

    /**
     * A forced refresh helped (the call it was for went through): the client's floor is back to its base
     * {@code floor}, the claim in force included.
     */
    void forcedRefreshHelped(String client, Duration floor);

    /**
     * Spends one of {@code caller}'s {@code max} forced refreshes per {@code window}, across all replicas.
     *
     * @return whether the caller had one left
     */
    boolean spendCallerRefresh(String caller, int max, Duration window);

    /** Gives back a caller's forced refresh that certainly issued nothing. */
    void giveBackCallerRefresh(String caller);

    /** Calls {@code listener} with a client's name whenever any replica stores a new record of it. */
    void listen(Consumer<String> listener);

    /**
     * How far this host's wall clock is ahead of the store's (negative: behind), measured now; empty
     * when the store has no clock of its own (in memory). Records carry the writer's wall-clock times,
     * so operators need to see hosts whose clocks disagree.
     */
    default Optional<Duration> clockOffset() {
        return Optional.empty();
    }

    /** Checks that the store answers, when nothing else would tell: an outage as {@link StoreUnavailableException}. */
    default void ping() {
    }

    /** Called at every maintenance check: restores what an outage may have broken (subscriptions). */
    default void heal() {
    }

    /** Waits at most {@code max} for news of a new record of the client (it may return earlier). */
    void awaitUpdate(String client, Duration max) throws InterruptedException;

    /** A line for the logs saying where tokens are kept. */
    String describe();
}
