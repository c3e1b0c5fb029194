package io.tokenbroker.token;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * What this replica knows of one client: one immutable {@link Known} value swapped whole (so readers
 * never see half an update), the single acquisition in flight that every concurrent caller shares,
 * and the floors that keep this replica from calling the platform too often.
 */
final class ClientTokenState {

    private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(30);
    /** Below this, the same record's two expiries are one read's latency apart, not a clock step. */
    private static final Duration CLOCKS_AGREE = Duration.ofSeconds(1);

    /**
     * Everything this replica believes about the client at one moment.
     *
     * @param token the token handed out, or {@code null} before the first acquisition
     * @param unsaved whether the store lacks it (obtained or kept during an outage): to be written back
     * @param nextRefresh when to refresh ahead of expiry
     * @param failedRefreshes refresh attempts failed in a row
     * @param failingSince since when refreshing fails, or {@code null}
     * @param storeProblem why the stored value was refused at the last look, or {@code null}
     */
    record Known(TokenRecord token, boolean unsaved, Instant nextRefresh, int failedRefreshes, Instant failingSince,
            String storeProblem) {

        static final Known NOTHING = new Known(null, false, Instant.MAX, 0, null, null);
    }

    /**
     * The last acquisition or replacement that failed: what went wrong ({@link Failures#kind}), when,
     * since when acquisitions have been failing in a row, and whether one has succeeded since.
     */
    record FailureNote(String kind, Instant at, Instant since, boolean recovered) {
    }

    private final String client;
    private final AtomicReference<Known> known = new AtomicReference<>(Known.NOTHING);
    private final AtomicReference<CompletableFuture<TokenRecord>> inFlight = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<TokenRecord>> forcedInFlight = new AtomicReference<>();
    private final AtomicLong lastForcedCallMillis = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicLong lastLocalCallMillis = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicBoolean syncQueued = new AtomicBoolean();
    private final AtomicBoolean forcedFloorRaised = new AtomicBoolean();
    private final AtomicReference<FailureNote> lastFailure = new AtomicReference<>();

    ClientTokenState(String client) {
        this.client = client;
    }

    String client() {
        return client;
    }

    /** Everything known now, as one consistent value. */
    Known known() {
        return known.get();
    }

    /** The token this replica hands out, or {@code null} before the first acquisition. */
    TokenRecord current() {
        return known.get().token();
    }

    /**
     * Keeps {@code record} if it {@linkplain TokenRecord#replaces replaces} the current one, and plans
     * its refresh at {@code expiresAt - refreshAhead} plus this replica's random share of {@code jitter}.
     * A saved copy of the current token marks it saved, and re-times it when the two disagree (the
     * store times records by their TTL, so this host's clock stepped).
     *
     * @param saved whether the shared store holds it (false: obtained locally during a store outage)
     */
    void adopt(TokenRecord record, boolean saved, Duration refreshAhead, Duration jitter, Instant now) {
        long jitterMillis = jitter.toMillis() <= 0 ? 0 : ThreadLocalRandom.current().nextLong(jitter.toMillis());
        Instant nextRefresh = record.expiresAt().minus(refreshAhead).plusMillis(jitterMillis);
        update(k -> {
            if (record.replaces(k.token(), now)) {
                return new Known(record, !saved, nextRefresh, 0, null, k.storeProblem());
            }
            boolean sameToken = k.token() != null && k.token().token().equals(record.token());
            if (saved && sameToken && record.generation() == k.token().generation()
                    && Math.abs(record.expiresAt().toEpochMilli() - k.token().expiresAt().toEpochMilli())
                            > CLOCKS_AGREE.toMillis()) {
                // The store's copy, timed by its TTL, disagrees with ours: this host's clock stepped since.
                return new Known(record, false, nextRefresh, k.failedRefreshes(), k.failingSince(), k.storeProblem());
            }
            return saved && sameToken && k.unsaved()
                    ? new Known(k.token(), false, k.nextRefresh(), k.failedRefreshes(), k.failingSince(),
                            k.storeProblem())
                    : k;
        });
    }

    /** Whether the current token was obtained while the store was down and still has to be written back. */
    boolean unsaved() {
        return known.get().unsaved();
    }

    /** Whether a refresh ahead of expiry is due at {@code now}. */
    boolean refreshDue(Instant now) {
        Known k = known.get();
        return k.token() != null && !now.isBefore(k.nextRefresh());
    }

    /** Backs off the next refresh attempt exponentially after a failure (1 s, 2 s, 4 s … 30 s). */
    void refreshFailed(Instant now) {
        update(k -> {
            int failed = k.failedRefreshes() + 1;
            Duration backoff = Duration.ofSeconds(1L << Math.min(failed - 1, 5));
            Instant next = now.plus(backoff.compareTo(LONGEST_BACKOFF) < 0 ? backoff : LONGEST_BACKOFF);
            return new Known(k.token(), k.unsaved(), next, failed, k.failingSince() == null ? now : k.failingSince(),
                    k.storeProblem());
        });
    }

    /** Since when refreshing has been failing, or {@code null} if it is not. */
    Instant failingSince() {
        return known.get().failingSince();
    }

    /** Records why the stored value was refused at the last look ({@code null}: it was not). */
    void storeProblem(String problem) {
        update(k -> Objects.equals(k.storeProblem(), problem) ? k
                : new Known(k.token(), k.unsaved(), k.nextRefresh(), k.failedRefreshes(), k.failingSince(), problem));
    }

    /**
     * Claims this replica's one forced platform call per {@code floor}: holds even when Redis, which
     * keeps the same floor across replicas, is unreachable.
     */
    boolean claimForcedCall(long nowMillis, Duration floor) {
        return claim(lastForcedCallMillis, nowMillis, floor);
    }

    /** Gives back a forced call's claim when the call issued nothing. */
    void forgetForcedCall(long claimedAtMillis) {
        lastForcedCallMillis.compareAndSet(claimedAtMillis, Long.MIN_VALUE / 2);
    }

    /** Claims this replica's one platform call per {@code floor} without the shared lock (Redis is down). */
    boolean claimLocalCall(long nowMillis, Duration floor) {
        return claim(lastLocalCallMillis, nowMillis, floor);
    }

    /** When the last call without the shared lock was claimed. */
    long lastLocalCallMillis() {
        return lastLocalCallMillis.get();
    }

    /** Notes whether the last forced refresh found the client's floor raised (its refusals repeat). */
    void forcedFloorRaised(boolean raised) {
        forcedFloorRaised.set(raised);
    }

    /** Whether the floor was raised, clearing the note: the caller resets it once, however many calls see it help. */
    boolean takeRaisedFloor() {
        return forcedFloorRaised.get() && forcedFloorRaised.compareAndSet(true, false);
    }

    /** Queues one look at the store for a published update; {@code false} if one is already queued. */
    boolean queueSync() {
        return syncQueued.compareAndSet(false, true);
    }

    /** The queued look starts: updates published from now on queue another. */
    void syncStarted() {
        syncQueued.set(false);
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

    /**
     * Ends the wait of every caller of the acquisition and replacement in flight with {@code why}, while
     * they go on: callers stop waiting for a slow platform, and whatever token it brings is adopted
     * all the same. Callers arriving until then get {@code why} at once instead of another platform call.
     */
    void releaseWaiters(RuntimeException why) {
        CompletableFuture<TokenRecord> acquisition = inFlight.get();
        if (acquisition != null) {
            acquisition.completeExceptionally(why);
        }
        CompletableFuture<TokenRecord> replacement = forcedInFlight.get();
        if (replacement != null) {
            replacement.completeExceptionally(why);
        }
    }

    /** Whether an acquisition is running now. */
    boolean acquiring() {
        return inFlight.get() != null;
    }

    /** Whether a replacement of a refused token ({@code POST /token/refresh}, a rotation) is running now. */
    boolean replacing() {
        return forcedInFlight.get() != null;
    }

    /** Notes that an acquisition or replacement failed, for readiness and the operators' state view. */
    void failed(String kind, Instant at) {
        lastFailure.updateAndGet(previous -> new FailureNote(kind, at,
                previous == null || previous.recovered() ? at : previous.since(), false));
    }

    /** Notes that an acquisition succeeded: the failures before it are history. */
    void succeeded() {
        lastFailure.updateAndGet(previous -> previous == null || previous.recovered() ? previous
                : new FailureNote(previous.kind(), previous.at(), previous.since(), true));
    }

    /** The last failed acquisition or replacement, or {@code null} if none has failed. */
    FailureNote lastFailure() {
        return lastFailure.get();
    }

    private void update(UnaryOperator<Known> change) {
        known.updateAndGet(change);
    }

    private static boolean claim(AtomicLong last, long nowMillis, Duration floor) {
        long previous = last.get();
        return nowMillis - previous >= floor.toMillis() && last.compareAndSet(previous, nowMillis);
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
