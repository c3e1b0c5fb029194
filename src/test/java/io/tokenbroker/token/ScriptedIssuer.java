package io.tokenbroker.token;

import io.tokenbroker.platform.CallWithdrawnException;
import io.tokenbroker.platform.IssuedToken;
import io.tokenbroker.platform.TokenIssuer;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** A platform in memory: issues {@code t1}, {@code t2} … and counts calls, honouring the caller's permit. */
final class ScriptedIssuer implements TokenIssuer {

    private final Clock clock;
    private final AtomicInteger issued = new AtomicInteger();
    private final AtomicInteger withdrawn = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    ScriptedIssuer(Clock clock) {
        this.clock = clock;
    }

    /** Calls wait until {@link #open()}, so callers can pile up behind one acquisition. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void open() {
        gate.countDown();
    }

    int calls() {
        return issued.get();
    }

    int withdrawnCalls() {
        return withdrawn.get();
    }

    @Override
    public IssuedToken issue(String client, BooleanSupplier mayIssue) {
        if (!mayIssue.getAsBoolean()) {
            withdrawn.incrementAndGet();
            throw new CallWithdrawnException(client);
        }
        try {
            if (!gate.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new IssuedToken("t" + issued.incrementAndGet(), clock.instant());
    }
}
