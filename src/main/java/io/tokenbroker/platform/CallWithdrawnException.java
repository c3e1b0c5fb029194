package io.tokenbroker.platform;

import java.time.Duration;

/**
 * The caller withdrew its permission before the platform was called (its refresh lock was lost or
 * ran out), so the platform was not asked: another replica may be obtaining the token now, and a
 * second token would invalidate the first.
 */
public final class CallWithdrawnException extends PlatformException {

    public CallWithdrawnException(String client) {
        super(client, "the refresh lock was lost before the platform was called; it was not called");
    }

    /** Another replica holds the lock: its record arrives soon. */
    public Duration retryAfter() {
        return Duration.ofSeconds(1);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
