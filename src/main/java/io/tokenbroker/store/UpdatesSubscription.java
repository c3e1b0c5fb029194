package io.tokenbroker.store;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * This replica's subscription to the channel on which every replica announces a new record, on a
 * connection of its own. It is opened and reopened in the background and never makes a caller wait:
 * while it is down, waiting replicas poll.
 *
 * <p>It drives the Vert.x connection itself so that the message handler is in place before
 * {@code SUBSCRIBE} is written. Quarkus' pub/sub API installs it only once the command is written; a
 * confirmation that arrives first is dropped ("No handler waiting for message") and the subscriber
 * then waits out {@code quarkus.redis.timeout}, which after a Redis restart happened on every try.
 */
final class UpdatesSubscription {

    private static final Logger LOG = Logger.getLogger(UpdatesSubscription.class);
    /** How long Redis may take to confirm; an attempt still unconfirmed then is dropped and retried. */
    static final Duration CONFIRMATION_TIMEOUT = Duration.ofSeconds(5);

    private final Redis client;
    private final String channel;
    private final Consumer<String> onUpdate;
    private final Clock clock;
    /** The attempt in progress or in effect; {@code null} when there is none. Guarded by {@code this}. */
    private Attempt current;
    /** Whether the loss of the subscription was already reported, so an outage logs one warning. */
    private volatile boolean lossReported;

    UpdatesSubscription(Redis client, String channel, Consumer<String> onUpdate, Clock clock) {
        this.client = client;
        this.channel = channel;
        this.onUpdate = onUpdate;
        this.clock = clock;
    }

    /**
     * Starts a new attempt unless one is confirmed or still within its confirmation time; returns at
     * once. An attempt that is overdue is closed first.
     */
    void ensureOpen() {
        Attempt attempt;
        synchronized (this) {
            if (current != null && (current.confirmed || !current.overdueAt(clock.instant()))) {
                return;
            }
            if (current != null) {
                lost(current, "Redis did not confirm the subscription within " + CONFIRMATION_TIMEOUT);
            }
            attempt = new Attempt(clock.instant());
            current = attempt;
        }
        client.connect().subscribe().with(attempt::connected, failure -> lost(attempt, describe(failure)));
    }

    /** Whether Redis confirmed the subscription and the connection has not ended since. */
    synchronized boolean isOpen() {
        return current != null && current.confirmed;
    }

    /** Ends the subscription and closes its connection. */
    void close() {
        Attempt closing;
        synchronized (this) {
            closing = current;
            current = null;
        }
        if (closing != null) {
            closing.close();
        }
    }

    private void lost(Attempt attempt, String why) {
        synchronized (this) {
            if (current != attempt) {
                // Replaced or closed on purpose: its connection ending is expected.
                attempt.close();
                return;
            }
            current = null;
        }
        attempt.close();
        if (!lossReported) {
            lossReported = true;
            LOG.warnf("Not subscribed to %s (%s); waiting replicas poll until it is restored", channel, why);
        } else {
            LOG.debugf("Could not subscribe to %s (%s)", channel, why);
        }
    }

    private void confirmed(Attempt attempt) {
        synchronized (this) {
            if (current != attempt) {
                return;
            }
            attempt.confirmed = true;
        }
        if (lossReported) {
            lossReported = false;
            LOG.infof("Subscribed to %s again", channel);
        }
    }

    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName();
    }

    /** One connection's try at subscribing. */
    private final class Attempt {

        private final Instant startedAt;
        private volatile RedisConnection connection;
        private volatile boolean closed;
        /** Guarded by the enclosing subscription. */
        private boolean confirmed;

        Attempt(Instant startedAt) {
            this.startedAt = startedAt;
        }

        boolean overdueAt(Instant now) {
            return now.isAfter(startedAt.plus(CONFIRMATION_TIMEOUT));
        }

        void connected(RedisConnection opened) {
            connection = opened;
            if (closed) {
                opened.closeAndForget();
                return;
            }
            // Handlers first: the confirmation may arrive as soon as the command is written.
            opened.handler(this::received);
            opened.endHandler(() -> lost(this, "the connection ended"));
            opened.exceptionHandler(failure -> lost(this, describe(failure)));
            opened.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).subscribe()
                    .with(ignored -> { }, failure -> lost(this, describe(failure)));
        }

        private void received(Response message) {
            if (closed || message == null || message.size() < 3) {
                return;
            }
            String kind = message.get(0).toString();
            if ("subscribe".equalsIgnoreCase(kind)) {
                confirmed(this);
            } else if ("message".equalsIgnoreCase(kind)) {
                onUpdate.accept(message.get(2).toString());
            }
        }

        void close() {
            closed = true;
            RedisConnection opened = connection;
            if (opened != null) {
                opened.closeAndForget();
            }
        }
    }
}
