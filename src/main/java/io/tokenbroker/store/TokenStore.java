package io.tokenbroker.store;

import java.time.Duration;
import java.util.Optional;

/**
 * Shared storage of every client's current token, with the lock that lets exactly one replica call
 * the platform at a time. Calls block: use them off the event loop.
 */
public interface TokenStore {

    /** The client's current record, if any is stored and not yet expired. */
    Optional<TokenRecord> read(String client);

    /** Takes the client's refresh lock for {@code broker.lock.lease}, if nobody holds it. */
    Optional<Lease> tryLock(String client);

    /** Gives the lock back, if {@code lease} still holds it; never removes another holder's lock. */
    void release(String client, Lease lease);

    /**
     * Stores {@code record} unless the stored one has an equal or higher generation.
     *
     * @return whether it was stored
     */
    boolean write(String client, TokenRecord record);

    /** Waits at most {@code max} for news of a new record of the client (it may return earlier). */
    void awaitUpdate(String client, Duration max) throws InterruptedException;

    /** A line for the logs saying where tokens are kept. */
    String describe();
}
