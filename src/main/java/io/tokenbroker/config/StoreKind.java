package io.tokenbroker.config;

/** Where the broker keeps the shared token: Redis for any number of replicas, memory for one. */
public enum StoreKind {
    REDIS,
    MEMORY
}
