package io.tokenbroker.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import io.tokenbroker.support.Ticker;
import java.time.Clock;

/** The wall clock every expiry is computed with (UTC), and the monotonic one every lease and floor is measured with. */
@Singleton
class ClockProducer {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Monotonic time for leases, floors and deadlines. */
    @Produces
    @Singleton
    Ticker ticker() {
        return Ticker.SYSTEM;
    }
}
