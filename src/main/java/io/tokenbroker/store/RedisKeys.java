package io.tokenbroker.store;

/**
 * Builds every Redis key and channel of the broker. A client's keys share the {@code {client}} hash
 * tag, so its scripts touch one Redis Cluster slot.
 */
final class RedisKeys {

    private final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    /** Hash with the client's current token, acquired-at, expires-at and generation. */
    String record(String client) {
        return prefix + "{" + client + "}:token";
    }

    /** The client's refresh lock: holds the owner's unique value. */
    String lock(String client) {
        return prefix + "{" + client + "}:lock";
    }

    /** Counter handing out the client's fencing numbers (record generations). */
    String fence(String client) {
        return prefix + "{" + client + "}:fence";
    }

    /** Marker of the client's last forced refresh, living for the floor between two. */
    String forcedRefresh(String client) {
        return prefix + "{" + client + "}:forced";
    }

    /** Hash of the client's forced-refresh floor and the generation the last forced refresh produced. */
    String forcedDamping(String client) {
        return prefix + "{" + client + "}:forced-damping";
    }

    /** The client's count of forced refreshes in the current day. */
    String forcedToday(String client) {
        return prefix + "{" + client + "}:forced-today";
    }

    /** A caller's count of forced refreshes in the current window, across the clients it uses. */
    String callerForced(String caller) {
        return prefix + "caller:{" + caller + "}:forced";
    }

    /** Channel announcing new records; the message is the client name. */
    String updatesChannel() {
        return prefix + "updates";
    }
}
