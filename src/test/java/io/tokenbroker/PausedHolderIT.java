package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A lock holder frozen ({@code SIGSTOP}) past its lease: another replica takes over, and the holder
 * wakes up to find a newer token it must neither overwrite nor kill with a call of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PausedHolderIT {

    private static final Duration RETRY_DELAY = Duration.ofMillis(1500);
    private static final Duration RETRY_JITTER = Duration.ofMillis(10);

    private ReplicaSet set;

    @BeforeAll
    void start() {
        set = new ReplicaSet(2, Map.of("broker.lock.lease", "2s", "broker.lock.wait-timeout", "20s",
                "broker.platform.timeout", "10s", "broker.token.check-interval", "200ms",
                "broker.platform.retry-delay", RETRY_DELAY.toMillis() + "ms", "broker.platform.retry-max-delay", "3s",
                "broker.platform.retry-jitter", RETRY_JITTER.toMillis() + "ms"));
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    void aHolderPausedPastItsLeaseNeverOverwritesTheNewerTokenNorCallsAgain() {
        String clientId = TestAccounts.clientId("cold");
        set.platform.latency(Duration.ofMillis(1500));
        List<CompletableFuture<HttpResponse<String>>> requests = List.of(
                set.http().sendAsync(set.tokenRequest(set.replica(0), "cold"), HttpResponse.BodyHandlers.ofString()),
                set.http().sendAsync(set.tokenRequest(set.replica(1), "cold"), HttpResponse.BodyHandlers.ofString()));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> set.platform.calls(clientId) == 1);
        BrokerReplica holder = set.lockHolder("cold");
        int survivor = set.replicas.indexOf(holder) == 0 ? 1 : 0;

        holder.pause();
        HttpResponse<String> taken = requests.get(survivor).join();
        set.platform.latency(Duration.ZERO);
        holder.resume();

        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
        String newer = ReplicaSet.token(taken.body());
        assertThat(set.platform.isValid(newer)).isTrue();
        assertThat(set.platform.calls(clientId)).isEqualTo(2);
        HttpResponse<String> woken = requests.get(1 - survivor).join();
        assertThat(woken.statusCode()).as(woken.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> set.tokenFrom(holder, "cold").equals(newer));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> set.platform.calls(clientId) == 2 && newer.equals(set.tokenFrom(holder, "cold")));
        assertThat(set.redis.call("HGET", "token-broker:{cold}:token", "token")).isEqualTo(newer);
    }

    @Test
    void aHolderPausedBeforeItsRetryPastItsLeaseNeverCallsThePlatformAgain() {
        String clientId = TestAccounts.clientId("flaky-busy");
        set.platform.failNext(clientId, PlatformStandIn.Failure.BUSY);
        List<CompletableFuture<HttpResponse<String>>> requests = List.of(
                set.http().sendAsync(set.tokenRequest(set.replica(0), "flaky-busy"),
                        HttpResponse.BodyHandlers.ofString()),
                set.http().sendAsync(set.tokenRequest(set.replica(1), "flaky-busy"),
                        HttpResponse.BodyHandlers.ofString()));
        // The holder's first attempt was answered "busy": it waits 1.5 s before it may try again.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> set.platform.calls(clientId) == 1);
        Instant firstAttempt = set.platform.credentialRequests(clientId).get(0).at();
        BrokerReplica holder = set.lockHolder("flaky-busy");
        int survivor = set.replicas.indexOf(holder) == 0 ? 1 : 0;

        holder.pause();
        HttpResponse<String> taken;
        try {
            // The retry is sent no sooner than the delay (less its jitter) after the busy answer, which
            // came after the first attempt arrived: paused before that, the holder had not retried.
            assertThat(Instant.now()).as("paused before the holder's retry was due")
                    .isBefore(firstAttempt.plus(RETRY_DELAY).minus(RETRY_JITTER));
            assertThat(set.platform.calls(clientId)).as("attempts when the holder was paused").isEqualTo(1);
            taken = requests.get(survivor).join();
        } finally {
            holder.resume();
        }

        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
        String stored = ReplicaSet.token(taken.body());
        assertThat(requests.get(1 - survivor).join().statusCode()).isEqualTo(200);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> set.platform.calls(clientId) == 2);
        assertThat(set.platform.isValid(stored)).as("nobody issued a token after the one stored").isTrue();
        assertThat(set.tokenFrom(holder, "flaky-busy")).isEqualTo(stored);
    }
}
