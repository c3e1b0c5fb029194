package io.tokenbroker.security;

import java.util.Set;

/**
 * An authenticated internal service.
 *
 * @param name the caller's name in {@code broker.callers.NAME.*}
 * @param clients the client names it may read; {@code *} grants all
 */
public record Caller(String name, Set<String> clients) {

    public Caller {
        clients = Set.copyOf(clients);
    }

    /** Whether this caller may read {@code client}'s token. */
    public boolean mayRead(String client) {
        return clients.contains("*") || clients.contains(client);
    }
}
