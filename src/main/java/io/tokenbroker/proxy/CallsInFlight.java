package io.tokenbroker.proxy;

import io.tokenbroker.config.BrokerConfig;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many business calls of each client this replica has in flight, bounded by the client's
 * {@code max-calls-in-flight}, and how many each caller holds of them: what a slow platform can make
 * the broker hold stays bounded however many callers wait. While other callers of the client have been
 * calling (within {@value #ACTIVE_SECONDS} s), a caller holds at most its {@code max-caller-share}, so
 * one caller trickling bodies or calling a slow API leaves places for the others; a caller alone may
 * use every place. Callers are configured names, so the per-caller counts are bounded by the configuration.
 */
@Singleton
public class CallsInFlight {

    private static final int ACTIVE_SECONDS = 2;

    private final Map<String, AtomicInteger> inFlight = new HashMap<>();
    private final Map<String, Integer> limits = new HashMap<>();
    private final Map<String, Integer> callerLimits = new HashMap<>();
    private final Map<String, Map<String, Held>> byCaller = new HashMap<>();

    /** One caller's places of one client, and when it last asked for one (monotonic nanoseconds). */
    private static final class Held {
        final AtomicInteger count = new AtomicInteger();
        volatile long lastAskedNanos = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
    }

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
        Map<String, Held> callers = byCaller.get(client);
        Held mine = callers.computeIfAbsent(caller, name -> new Held());
        long now = System.nanoTime();
        mine.lastAskedNanos = now;
        if (mine.count.incrementAndGet() > callerLimits.get(client) && othersActive(callers, mine, now)) {
            mine.count.decrementAndGet();
            return Refusal.CALLER_SHARE;
        }
        AtomicInteger count = inFlight.get(client);
        if (count.incrementAndGet() > limits.get(client)) {
            count.decrementAndGet();
            mine.count.decrementAndGet();
            return Refusal.CLIENT_FULL;
        }
        return null;
    }

    /** Whether a caller other than {@code mine} holds places of the client or asked for one lately. */
    private static boolean othersActive(Map<String, Held> callers, Held mine, long now) {
        for (Held other : callers.values()) {
            if (other != mine && (other.count.get() > 0
                    || now - other.lastAskedNanos < TimeUnit.SECONDS.toNanos(ACTIVE_SECONDS))) {
                return true;
            }
        }
        return false;
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
        byCaller.get(client).get(caller).count.decrementAndGet();
    }
}
