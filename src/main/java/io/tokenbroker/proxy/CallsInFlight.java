package io.tokenbroker.proxy;

import io.tokenbroker.config.BrokerConfig;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many business calls of each client this replica has in flight, bounded by the client's
 * {@code max-calls-in-flight}, and how many each caller holds of them, bounded by its
 * {@code max-caller-share}: what a slow platform can make the broker hold stays bounded however many
 * callers wait, and one caller trickling bodies or calling a slow API leaves places for the others.
 * Callers are configured names, so the per-caller counts are bounded by the configuration.
 */
@Singleton
public class CallsInFlight {

    private final Map<String, AtomicInteger> inFlight = new HashMap<>();
    private final Map<String, Integer> limits = new HashMap<>();
    private final Map<String, Integer> callerLimits = new HashMap<>();
    private final Map<String, Map<String, AtomicInteger>> byCaller = new HashMap<>();

    CallsInFlight(BrokerConfig config) {
        config.clients().forEach((name, client) -> {
            inFlight.put(name, new AtomicInteger());
            limits.put(name, client.maxCallsInFlight());
            callerLimits.put(name, Math.max(1, (int) Math.ceil(client.maxCallsInFlight() * client.maxCallerShare())));
            byCaller.put(name, new ConcurrentHashMap<>());
        });
    }

    /** Why a place was refused: the client's places are all taken, or the caller holds its share. */
    enum Refusal {
        CLIENT_FULL, CALLER_SHARE
    }

    /** Takes a place for {@code caller}'s call of {@code client} (a configured client); the refusal, or null. */
    Refusal tryEnter(String client, String caller) {
        AtomicInteger mine = byCaller.get(client).computeIfAbsent(caller, name -> new AtomicInteger());
        if (mine.incrementAndGet() > callerLimits.get(client)) {
            mine.decrementAndGet();
            return Refusal.CALLER_SHARE;
        }
        AtomicInteger count = inFlight.get(client);
        if (count.incrementAndGet() > limits.get(client)) {
            count.decrementAndGet();
            mine.decrementAndGet();
            return Refusal.CLIENT_FULL;
        }
        return null;
    }

    /** The most places one caller may hold of {@code client}'s. */
    int callerLimit(String client) {
        return callerLimits.get(client);
    }

    /** How many business calls of {@code client} (a configured client) this replica has in flight now. */
    public int count(String client) {
        return inFlight.get(client).get();
    }

    /** Gives back the place of a call that {@link #tryEnter} let in. */
    void leave(String client, String caller) {
        inFlight.get(client).decrementAndGet();
        byCaller.get(client).get(caller).decrementAndGet();
    }
}
