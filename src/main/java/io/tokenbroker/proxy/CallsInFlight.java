package io.tokenbroker.proxy;

import io.tokenbroker.config.BrokerConfig;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many business calls of each client this replica has in flight, bounded by the client's
 * {@code max-calls-in-flight}: what a slow platform can make the broker hold (connections, buffered
 * bodies up to {@code broker.proxy.max-body-size} each) stays bounded however many callers wait.
 */
@Singleton
public class CallsInFlight {

    private final Map<String, AtomicInteger> inFlight = new HashMap<>();
    private final Map<String, Integer> limits = new HashMap<>();

    CallsInFlight(BrokerConfig config) {
        config.clients().forEach((name, client) -> {
            inFlight.put(name, new AtomicInteger());
            limits.put(name, client.maxCallsInFlight());
        });
    }

    /** Takes a place for a call of {@code client} (a configured client); false when all are taken. */
    boolean tryEnter(String client) {
        AtomicInteger count = inFlight.get(client);
        if (count.incrementAndGet() > limits.get(client)) {
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    /** How many business calls of {@code client} (a configured client) this replica has in flight now. */
    public int count(String client) {
        return inFlight.get(client).get();
    }

    /** Gives back the place of a call that {@link #tryEnter} let in. */
    void leave(String client) {
        inFlight.get(client).decrementAndGet();
    }
}
