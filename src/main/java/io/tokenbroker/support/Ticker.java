package io.tokenbroker.support;

/**
 * Monotonic time, for leases, floors, back-offs and deadlines: unlike the wall clock it never steps
 * when NTP corrects the host, so a step back cannot lengthen a lease this replica believes it holds.
 * Tests move it by hand.
 */
@FunctionalInterface
public interface Ticker {

    /** The system's monotonic clock ({@link System#nanoTime()}). */
    Ticker SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanos();

    /** {@link #nanos()} in milliseconds. */
    default long millis() {
        return nanos() / 1_000_000;
    }
}
