package io.tokenbroker.token;

import java.time.Duration;

/**
 * Who holds a client's refresh lock now, for operators.
 *
 * @param owner the holder's unique value ({@code host/pid/random:lease} for the broker's own
 *     replicas), at most {@value #MAX_OWNER_LENGTH} characters of it: the store is outside input
 * @param remaining how long the lease still runs ({@code null}: the key has no expiry, so it was not
 *     written by a broker)
 */
public record LockHolder(String owner, Duration remaining) {

    public static final int MAX_OWNER_LENGTH = 128;

    public LockHolder {
        owner = owner.length() > MAX_OWNER_LENGTH ? owner.substring(0, MAX_OWNER_LENGTH) + "…" : owner;
    }
}
