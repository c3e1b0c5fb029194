package io.tokenbroker.proxy;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code Request-Id}s, unique for every request sent to the platform as its document asks, and
 * unpredictable: a counter, with a number drawn once per replica, encrypted with a key drawn once per
 * replica (AES, one block), shaped as a random UUID (version 4). Nobody who sees ids can tell the next
 * one or how many calls were made. Cheaper under load than {@link java.util.UUID#randomUUID()}, whose
 * shared {@link SecureRandom} every caller thread contends for: each thread encrypts with its own cipher.
 * Distinct blocks encrypt to distinct blocks; the six bits the UUID's version and variant take leave
 * two ids a 2^-122 chance of meeting, as for random UUIDs.
 */
final class RequestIds {

    private final long replica;
    private final AtomicLong counter = new AtomicLong();
    private final ThreadLocal<Cipher> ciphers;

    RequestIds() {
        this(new SecureRandom());
    }

    RequestIds(SecureRandom random) {
        this.replica = random.nextLong();
        byte[] key = new byte[16];
        random.nextBytes(key);
        SecretKey aes = new SecretKeySpec(key, "AES");
        this.ciphers = ThreadLocal.withInitial(() -> {
            try {
                Cipher cipher = Cipher.getInstance("AES/ECB/NoPadding");
                cipher.init(Cipher.ENCRYPT_MODE, aes);
                return cipher;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES is not available", e);
            }
        });
    }

    /** The next id. */
    String next() {
        long count = counter.incrementAndGet();
        byte[] block = new byte[16];
        put(replica, block, 0);
        put(count, block, 8);
        byte[] sealed;
        try {
            sealed = ciphers.get().doFinal(block);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt a request id", e);
        }
        sealed[6] = (byte) (sealed[6] & 0x0F | 0x40); // version 4
        sealed[8] = (byte) (sealed[8] & 0x3F | 0x80); // IETF variant
        char[] id = new char[36];
        int at = 0;
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                id[at++] = '-';
            }
            id[at++] = Character.forDigit(sealed[i] >> 4 & 0xF, 16);
            id[at++] = Character.forDigit(sealed[i] & 0xF, 16);
        }
        return new String(id);
    }

    private static void put(long value, byte[] block, int at) {
        for (int i = 7; i >= 0; i--) {
            block[at + i] = (byte) value;
            value >>>= 8;
        }
    }
}
