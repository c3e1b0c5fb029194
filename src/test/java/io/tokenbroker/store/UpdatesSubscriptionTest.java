package io.tokenbroker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.testing.MutableClock;
import io.tokenbroker.testing.RedisServerProcess;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The updates channel subscription against a real Redis that is stopped and restarted under it, as a
 * replica's maintenance check drives it: {@code ensureOpen} on every check.
 */
class UpdatesSubscriptionTest {

    private static final String CHANNEL = "token-broker:updates";

    private RedisServerProcess server;
    private Vertx vertx;
    private UpdatesSubscription subscription;
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server = RedisServerProcess.launch();
        vertx = Vertx.vertx();
        Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.uri())
                .setPassword(RedisServerProcess.PASSWORD));
        subscription = new UpdatesSubscription(client, CHANNEL, received::add, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        subscription.close();
        vertx.closeAndAwait();
        server.close();
    }

    @Test
    void deliversEveryClientNamePublishedOnTheChannel() {
        subscription.ensureOpen();
        awaitOpen();

        server.call("PUBLISH", CHANNEL, "default");
        server.call("PUBLISH", "some-other-channel", "ignored");
        server.call("PUBLISH", CHANNEL, "other");

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 2);
        assertThat(received).containsExactly("default", "other");
    }

    @Test
    void isRestoredAfterEveryRedisRestartAndDeliversAgain() throws IOException {
        subscription.ensureOpen();
        awaitOpen();
        for (int restart = 1; restart <= 8; restart++) {
            server.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> !subscription.isOpen());
            server.start();

            awaitOpen();
            String client = "client-" + restart;
            assertThat(server.call("PUBLISH", CHANNEL, client)).as("subscribers").isEqualTo(":1");
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains(client));
        }
    }

    @Test
    void whileRedisIsDownTriesAgainOnEveryCheckWithoutFailing() throws IOException {
        server.stop();
        for (int check = 0; check < 5; check++) {
            subscription.ensureOpen();
        }
        assertThat(subscription.isOpen()).isFalse();

        server.start();
        awaitOpen();
    }

    @Test
    void aClosedSubscriptionDeliversNothingMore() {
        subscription.ensureOpen();
        awaitOpen();

        subscription.close();

        assertThat(subscription.isOpen()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.call("PUBLISH", CHANNEL, "after-close").equals(":0"));
        assertThat(received).doesNotContain("after-close");
    }

    @Test
    void anAttemptRedisNeverConfirmsIsDroppedAndTriedAgain() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        accepted.add(silent.accept());
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
            Redis client = Redis.createClient(vertx, new RedisOptions()
                    .setConnectionString("redis://127.0.0.1:" + silent.getLocalPort()));
            UpdatesSubscription unconfirmed = new UpdatesSubscription(client, CHANNEL, received::add, clock);
            try {
                long asked = System.nanoTime();
                unconfirmed.ensureOpen();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                        .until(() -> accepted.size() == 1);
                Duration firstArrivedIn = Duration.ofNanos(System.nanoTime() - asked);

                unconfirmed.ensureOpen();
                // A second attempt would arrive about as fast as the first did: wait well past that.
                Duration quiet = max(firstArrivedIn.multipliedBy(5), Duration.ofSeconds(1));
                await("still within the confirmation time: no second attempt").during(quiet)
                        .atMost(quiet.plusSeconds(5)).pollInterval(Duration.ofMillis(10))
                        .until(() -> accepted.size() == 1);

                clock.advance(UpdatesSubscription.CONFIRMATION_TIMEOUT.plusSeconds(1));
                unconfirmed.ensureOpen();
                await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 2);
                assertThat(unconfirmed.isOpen()).isFalse();
            } finally {
                unconfirmed.close();
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** What a maintenance check does: make sure it is open, then look again at the next check. */
    private void awaitOpen() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            subscription.ensureOpen();
            return subscription.isOpen();
        });
    }
}
