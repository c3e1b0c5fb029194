package io.tokenbroker.token;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What this replica knows of one client: the token it hands out from memory, the single acquisition
 * in flight that every concurrent caller shares, and when to refresh ahead of expiry.
 */
final class ClientTokenState {

    private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(30);

    private final String client;
    private final AtomicReference<CompletableFuture<TokenRecord>> inFlight = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<TokenRecord>> forcedInFlight = new AtomicReference<>();
    private volatile TokenRecord current;
    private volatile boolean unsaved;
    private volatile Instant nextRefresh = Instant.MAX;
    private volatile int failedRefreshes;
    private volatile Instant failingSince;

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

    /**
     * Keeps {@code record} if it {@linkplain TokenRecord#replaces replaces} the current one, and plans
     * its refresh at {@code expiresAt - refreshAhead} plus this replica's random share of {@code jitter}.
     *
     * @param saved whether the shared store holds it (false: obtained locally during a store outage)
     */
    synchronized void adopt(TokenRecord record, boolean saved, Duration refreshAhead, Duration jitter, Instant now) {
        if (!record.replaces(current, now)) {
            return;
        }
        current = record;
        unsaved = !saved;
        failedRefreshes = 0;
        failingSince = null;
        long jitterMillis = jitter.toMillis() <= 0 ? 0 : ThreadLocalRandom.current().nextLong(jitter.toMillis());
        nextRefresh = record.expiresAt().minus(refreshAhead).plusMillis(jitterMillis);
    }

    /** Whether the current token was obtained while the store was down and still has to be written back. */
    boolean unsaved() {
        return unsaved;
    }

    void saved() {
        unsaved = false;
    }

    /** Whether a refresh ahead of expiry is due at {@code now}. */
    boolean refreshDue(Instant now) {
        return current != null && !now.isBefore(nextRefresh);
    }

    /** Backs off the next refresh attempt exponentially after a failure (1 s, 2 s, 4 s … 30 s). */
    synchronized void refreshFailed(Instant now) {
        failedRefreshes++;
        if (failingSince == null) {
            failingSince = now;
        }
        long seconds = 1L << Math.min(failedRefreshes - 1, 5);
        Duration backoff = Duration.ofSeconds(seconds);
        nextRefresh = now.plus(backoff.compareTo(LONGEST_BACKOFF) < 0 ? backoff : LONGEST_BACKOFF);
    }

    /** Since when refreshing has been failing, or {@code null} if it is not. */
    Instant failingSince() {
        return failingSince;
    }

    /**
     * Joins the acquisition in flight, or starts {@code acquisition} on {@code executor} if there is
     * none: however many callers arrive, one acquisition runs at a time. The acquisition adopts its
     * own result.
     */
    CompletableFuture<TokenRecord> acquireOnce(Supplier<TokenRecord> acquisition, Executor executor) {
        return once(inFlight, acquisition, executor);
    }

    /**
     * Like {@link #acquireOnce}, for forced refreshes ({@code POST /token/refresh}): they run apart, so
     * that a GET never waits on, or fails with, a refresh report.
     */
    CompletableFuture<TokenRecord> replaceOnce(Supplier<TokenRecord> replacement, Executor executor) {
        return once(forcedInFlight, replacement, executor);
    }

    /** Every caller gets its own copy: one caller hanging up cancels its copy, never the shared flight. */
    private static CompletableFuture<TokenRecord> once(AtomicReference<CompletableFuture<TokenRecord>> flight,
            Supplier<TokenRecord> work, Executor executor) {
        while (true) {
            CompletableFuture<TokenRecord> running = flight.get();
            if (running != null) {
                return running.copy();
            }
            CompletableFuture<TokenRecord> mine = new CompletableFuture<>();
            if (flight.compareAndSet(null, mine)) {
                executor.execute(() -> run(flight, work, mine));
                return mine.copy();
            }
        }
    }

    /** Whether an acquisition is running now. */
    boolean acquiring() {
        return inFlight.get() != null;
    }

    private static void run(AtomicReference<CompletableFuture<TokenRecord>> flight, Supplier<TokenRecord> work,
            CompletableFuture<TokenRecord> mine) {
        try {
            TokenRecord record = work.get();
            flight.set(null);
            mine.complete(record);
        } catch (Throwable failure) {
            flight.set(null);
            mine.completeExceptionally(failure);
        }
    }
}
