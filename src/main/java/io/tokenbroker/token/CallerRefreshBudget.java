package io.tokenbroker.token;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How many forced platform calls one caller may cause per {@code broker.token.min-forced-refresh-interval},
 * across every client it reads: the client floor keeps one client's token from being rotated in a
 * loop; this keeps one caller granted many clients from rotating them all. Bounded: it remembers at
 * most {@code max} times.
 */
final class CallerRefreshBudget {

    private final int max;
    private final long windowMillis;
    private final Deque<Long> spent = new ArrayDeque<>();

    CallerRefreshBudget(int max, Duration window) {
        this.max = max;
        this.windowMillis = window.toMillis();
    }

    /** Spends one forced call at {@code nowMillis}, if fewer than {@code max} were spent in the window. */
    synchronized boolean take(long nowMillis) {
        while (!spent.isEmpty() && nowMillis - spent.peekFirst() >= windowMillis) {
            spent.pollFirst();
        }
        if (spent.size() >= max) {
            return false;
        }
        spent.addLast(nowMillis);
        return true;
    }

    /** Gives back a call taken at {@code takenAtMillis} that issued nothing. */
    synchronized void giveBack(long takenAtMillis) {
        spent.removeLastOccurrence(takenAtMillis);
    }
}
