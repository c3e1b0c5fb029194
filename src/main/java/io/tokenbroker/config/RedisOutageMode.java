package io.tokenbroker.config;

/**
 * What a replica does when the shared store is unreachable and it holds no valid token
 * ({@code broker.redis-outage}).
 */
public enum RedisOutageMode {
    /**
     * Obtain a token from the platform itself (one call at a time per replica) and write it back when
     * Redis returns. Callers keep getting tokens; replicas may each obtain one meanwhile.
     */
    LOCAL,
    /** Answer 503 until Redis returns: never more than one token per lifetime, at the cost of availability. */
    FAIL
}
