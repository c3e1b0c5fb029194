package io.tokenbroker.token;

import io.tokenbroker.store.TokenRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What this replica knows of one client: the token it hands out from memory, and the single
 * acquisition in flight that every concurrent caller shares.
 */
final class ClientTokenState {

    private final String client;
    private volatile TokenRecord current;
    private final AtomicReference<CompletableFuture<TokenRecord>> inFlight = new AtomicReference<>();

    ClientTokenState(String client) {
        this.client = client;
    }

    String client() {
        return client;
    }

    /** The token this replica hands out, or {@code null} before the first acquisition. */
    TokenRecord current() {
        return current;
    }

    /** Keeps {@code record} unless this replica already holds a newer generation. */
    synchronized void adopt(TokenRecord record) {
        TokenRecord known = current;
        if (known == null || record.generation() > known.generation()) {
            current = record;
        }
    }

    /**
     * Joins the acquisition in flight, or starts {@code acquisition} on {@code executor} if there is
     * none: however many callers arrive, one acquisition runs at a time.
     */
    CompletableFuture<TokenRecord> acquireOnce(Supplier<TokenRecord> acquisition, Executor executor) {
        while (true) {
            CompletableFuture<TokenRecord> running = inFlight.get();
            if (running != null) {
                return running;
            }
            CompletableFuture<TokenRecord> mine = new CompletableFuture<>();
            if (inFlight.compareAndSet(null, mine)) {
                executor.execute(() -> run(acquisition, mine));
                return mine;
            }
        }
    }

    /** Whether an acquisition is running now. */
    boolean acquiring() {
        return inFlight.get() != null;
    }

    private void run(Supplier<TokenRecord> acquisition, CompletableFuture<TokenRecord> mine) {
        try {
            TokenRecord record = acquisition.get();
            adopt(record);
            inFlight.set(null);
            mine.complete(record);
        } catch (Throwable failure) {
            inFlight.set(null);
            mine.completeExceptionally(failure);
        }
    }
}
