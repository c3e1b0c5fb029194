package io.tokenbroker.testing;

import io.tokenbroker.support.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves by hand, so time-based decisions are tested in milliseconds, without sleeps: the
 * wall clock and the monotonic one, which {@link #advance} moves together and {@link #step} does not.
 */
public final class MutableClock extends Clock implements Ticker {

    private volatile Instant now;
    private volatile long nanos = 1_000_000_000L;

    public MutableClock(Instant start) {
        this.now = start;
    }

    /** Moves time forward: both clocks. */
    public void advance(Duration by) {
        now = now.plus(by);
        nanos += by.toNanos();
    }

    /** Steps the wall clock only (by a negative amount: back), as NTP correcting the host does. */
    public void step(Duration by) {
        now = now.plus(by);
    }

    @Override
    public long nanos() {
        return nanos;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
