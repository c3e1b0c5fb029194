package io.tokenbroker.proxy;

import io.tokenbroker.config.BrokerConfig;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-body bytes this replica holds across every business call ({@code broker.proxy.max-buffered-bodies}):
 * bodies are read whole before they are sent, and each is bounded by {@code max-body-size}, but a caller
 * granted many clients could otherwise take a client's places in each and fill the heap.
 */
@Singleton
class BufferedBodies {

    private final long most;
    private final AtomicLong held = new AtomicLong();

    BufferedBodies(BrokerConfig config) {
        this.most = config.proxy().maxBufferedBodies().asLongValue();
    }

    /** Takes room for {@code bytes} more; false (and nothing taken) when that would pass the bound. */
    boolean reserve(long bytes) {
        long after = held.addAndGet(bytes);
        if (after > most) {
            held.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /** Gives back {@code bytes} taken by {@link #reserve}. */
    void release(long bytes) {
        held.addAndGet(-bytes);
    }

    /** Bytes held now. */
    long held() {
        return held.get();
    }
}
