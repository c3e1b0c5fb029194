package io.tokenbroker.store;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Wakes the threads of this replica that wait for a client's new record. A signal may be missed
 * between a waiter's last read and its wait; waiters therefore wait in bounded slices and read again.
 * Monitors exist only for clients a waiter asked about: configured clients, so the map is bounded.
 */
final class UpdateSignals {

    private final ConcurrentMap<String, Object> monitors = new ConcurrentHashMap<>();

    /** Wakes the waiters of {@code client}; a name nobody waits for (anyone can publish) creates nothing. */
    void signal(String client) {
        Object monitor = monitors.get(client);
        if (monitor == null) {
            return;
        }
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    void await(String client, Duration max) throws InterruptedException {
        long millis = Math.max(1, max.toMillis());
        Object monitor = monitor(client);
        synchronized (monitor) {
            monitor.wait(millis);
        }
    }

    private Object monitor(String client) {
        return monitors.computeIfAbsent(client, name -> new Object());
    }
}
