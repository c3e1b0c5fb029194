package io.tokenbroker.config;

import io.quarkus.runtime.LaunchMode;

/** Where the broker keeps the shared token: Redis for any number of replicas, memory for one. */
public enum StoreKind {
    REDIS,
    MEMORY;

    /**
     * The store {@code broker.store} names, else Redis where it is configured or outside dev mode
     * (production never falls back to a store its other replicas cannot share).
     */
    public static StoreKind chosen(BrokerConfig config, boolean redisConfigured, LaunchMode mode) {
        return config.store().kind().orElse(redisConfigured || mode != LaunchMode.DEVELOPMENT ? REDIS : MEMORY);
    }
}
