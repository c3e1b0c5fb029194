package io.tokenbroker.platform;

import io.tokenbroker.config.BrokerConfig;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * How long one client's credential calls take, so that the wait offered to callers stays above what
 * the platform needs: callers wait for {@code broker.platform.timeout}, or one and a half times the
 * slowest of the recent answers when that is longer (never beyond {@code late-answer-timeout}), plus
 * the retries of calls that issued nothing. A platform slower than the time-out is then waited for
 * instead of being answered with 503 call after call while it issues a token each time.
 */
final class PlatformLatency {

    private static final Logger LOG = Logger.getLogger(PlatformLatency.class);
    private static final int REMEMBERED = 8;

    private final String client;
    private final Duration timeout;
    private final Duration lateAnswerTimeout;
    private final Duration retries;
    private final long[] recentNanos = new long[REMEMBERED];
    private int next;

    PlatformLatency(String client, BrokerConfig.Platform policy) {
        this.client = client;
        this.timeout = policy.timeout();
        this.lateAnswerTimeout = policy.lateAnswerTimeout();
        this.retries = policy.retryMaxDelay().plus(policy.retryJitter()).multipliedBy(policy.maxRetries());
    }

    /** An answer came back after {@code took}. */
    synchronized void answered(Duration took) {
        recentNanos[next] = took.toNanos();
        next = (next + 1) % REMEMBERED;
        if (took.compareTo(timeout) > 0) {
            LOG.warnf("Client %s: the platform answered after %d ms, beyond broker.platform.timeout (%s); its token is "
                    + "kept, and callers wait longer while answers are this slow", client, took.toMillis(), timeout);
        }
    }

    /** How long callers should wait for a call of this client. */
    synchronized Duration answerWithin() {
        long slowest = 0;
        for (long nanos : recentNanos) {
            slowest = Math.max(slowest, nanos);
        }
        Duration expected = Duration.ofNanos(slowest + slowest / 2);
        Duration wait = expected.compareTo(timeout) > 0 ? expected : timeout;
        return (wait.compareTo(lateAnswerTimeout) < 0 ? wait : lateAnswerTimeout).plus(retries);
    }
}
