package io.tokenbroker.proxy;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code Request-Id}s, unique for every request sent to the platform as its document asks: a random
 * number drawn once per replica (so replicas never share a prefix, bar a 2^-64 chance) and a counter,
 * in the form of a UUID. Cheaper than {@link java.util.UUID#randomUUID()}, which draws from a shared
 * {@link SecureRandom} on every call, and unique by construction rather than by chance.
 */
final class RequestIds {

    private final long replica;
    private final AtomicLong counter = new AtomicLong();

    RequestIds() {
        this(new SecureRandom().nextLong());
    }

    RequestIds(long replica) {
        this.replica = replica;
    }

    /** The next id, never returned before by this replica. */
    String next() {
        long count = counter.incrementAndGet();
        return hex(replica >>> 32, 8) + '-' + hex(replica >>> 16, 4) + '-' + hex(replica, 4) + '-'
                + hex(count >>> 48, 4) + '-' + hex(count, 12);
    }

    private static String hex(long value, int digits) {
        char[] chars = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            chars[i] = Character.forDigit((int) (value & 0xF), 16);
            value >>>= 4;
        }
        return new String(chars);
    }
}
