package io.tokenbroker.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * ServiceAccount tokens that verified, each remembered until its {@code exp}, so a caller pays for the
 * signature check once per token rather than once per request. At most {@code maxSize} are held, the
 * least used leaving first: a token forgotten early only costs one more signature check.
 *
 * <p>The memory belongs to one version of the issuer's key set and is dropped whole when the set
 * changes: a key withdrawn from the JWKS (rotated out, or compromised) stops vouching for the tokens
 * it signed at the next fetch, not only when they expire.
 *
 * <p>Caffeine loads the classes of a cache and of its entries by name, chosen by the features used
 * (here strong keys and values, a maximum size, per-entry expiry); a native image must be told them.
 */
@RegisterForReflection(classNames = {"com.github.benmanes.caffeine.cache.SSMSA",
        "com.github.benmanes.caffeine.cache.PSWMS"})
final class VerifiedTokens {

    private record Entry(Caller caller, Instant expiresAt) {
    }

    /** The tokens verified while the key set had {@code keyGeneration}. */
    private record Memory(long keyGeneration, Cache<String, Entry> tokens) {
    }

    private final LongSupplier keyGeneration;
    private final long maxSize;
    private final Clock clock;
    private final AtomicReference<Memory> memory;

    /**
     * @param keyGeneration the current generation of the key set, growing whenever the set changes
     * @param maxSize how many tokens are remembered at most
     */
    VerifiedTokens(LongSupplier keyGeneration, long maxSize, Clock clock) {
        this.keyGeneration = keyGeneration;
        this.maxSize = maxSize;
        this.clock = clock;
        this.memory = new AtomicReference<>(newMemory(keyGeneration.getAsLong()));
    }

    /** The caller {@code jwt} verified as under the current keys, if it has not expired; null otherwise. */
    Caller callerOf(String jwt) {
        Entry entry = current().tokens().getIfPresent(jwt);
        return entry == null ? null : entry.caller();
    }

    /**
     * Remembers that {@code jwt} verified as {@code caller}, unless the key set changed after
     * {@code keyGeneration} was read (before verifying): a token checked against keys that are no
     * longer in hand must not be remembered under the new ones.
     */
    void remember(String jwt, Caller caller, Instant expiresAt, long keyGeneration) {
        Memory now = current();
        if (now.keyGeneration() == keyGeneration) {
            now.tokens().put(jwt, new Entry(caller, expiresAt));
        }
    }

    /** How many tokens are remembered, once those due to leave have left. */
    long size() {
        Cache<String, Entry> tokens = current().tokens();
        tokens.cleanUp();
        return tokens.estimatedSize();
    }

    private Memory current() {
        Memory held = memory.get();
        long generation = keyGeneration.getAsLong();
        if (held.keyGeneration() >= generation) {
            return held;
        }
        return memory.updateAndGet(now -> now.keyGeneration() >= generation ? now : newMemory(generation));
    }

    private Memory newMemory(long generation) {
        Cache<String, Entry> tokens = Caffeine.newBuilder()
                .maximumSize(maxSize)
                .expireAfter(Expiry.creating((String jwt, Entry entry) ->
                        Duration.between(clock.instant(), entry.expiresAt())))
                .build();
        return new Memory(generation, tokens);
    }
}
