package io.tokenbroker.token;

import io.tokenbroker.support.Ticker;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * A refresh lock this replica holds, and how long it may believe so, on monotonic time (an NTP step
 * back never lengthens it). The lease counts from when the lock was requested and is extended only by a renewal Redis confirmed; once a renewal is refused, or
 * the lease ran out unrenewed (Redis unreachable, or this process paused past it), the holder must not
 * call the platform again: another replica may hold the lock by now.
 */
final class HeldLease {

    private static final Logger LOG = Logger.getLogger(HeldLease.class);

    private final String client;
    private final Lease lease;
    private final Duration leaseTime;
    private final Ticker ticker;
    private volatile long validUntilNanos;
    private volatile boolean lost;
    private volatile boolean ended;

    /** @param requestedAtNanos when the lock was requested, on {@code ticker}: the lease counts from then */
    HeldLease(String client, Lease lease, Duration leaseTime, long requestedAtNanos, Ticker ticker) {
        this.client = client;
        this.lease = lease;
        this.leaseTime = leaseTime;
        this.ticker = ticker;
        this.validUntilNanos = requestedAtNanos + believedNanos(leaseTime);
    }

    Lease lease() {
        return lease;
    }

    long fence() {
        return lease.fence();
    }

    /** Whether the lock is certainly still ours: never renewed in vain, and not run out. */
    boolean valid() {
        return !lost && ticker.nanos() - validUntilNanos < 0;
    }

    /** The holder is done with it: a renewal still running must not take its release for a loss. */
    void end() {
        ended = true;
    }

    /** Extends the lease; a refusal ends it for good, a failure lets it run out. */
    void renew(TokenStore store) {
        if (ended) {
            return;
        }
        long sentAt = ticker.nanos();
        try {
            if (store.renew(client, lease)) {
                validUntilNanos = sentAt + believedNanos(leaseTime);
            } else if (!ended) {
                lost = true;
                LOG.warnf("Client %s: the refresh lock was lost; this replica will not call the platform "
                        + "under it again", client);
            }
        } catch (StoreUnavailableException e) {
            LOG.warnf("Client %s: could not renew the refresh lock (%s); it runs out unless renewed", client,
                    e.getMessage());
        }
    }

    /** Redis and this host measure the lease apart: stop believing in it a tenth early. */
    private static long believedNanos(Duration leaseTime) {
        return leaseTime.toNanos() - leaseTime.toNanos() / 10;
    }
}
