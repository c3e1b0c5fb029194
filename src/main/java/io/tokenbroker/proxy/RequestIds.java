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
        char[] id = new char[36];
        hex(replica >>> 32, id, 0, 8);
        id[8] = '-';
        hex(replica >>> 16, id, 9, 4);
        id[13] = '-';
        hex(replica, id, 14, 4);
        id[18] = '-';
        hex(count >>> 48, id, 19, 4);
        id[23] = '-';
        hex(count, id, 24, 12);
        return new String(id);
    }

    /** Writes the lowest {@code digits} hex digits of {@code value} into {@code id} at {@code at}. */
    private static void hex(long value, char[] id, int at, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            id[i] = Character.forDigit((int) (value & 0xF), 16);
            value >>>= 4;
        }
    }
}
