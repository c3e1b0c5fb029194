package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three replicas under continuous load while tokens rotate every few seconds behind a slow platform:
 * no caller fails or waits on the platform, and each rotation costs one platform call.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RotationUnderLoadIT {

    // A platform slower than any scheduling stall of a loaded 2-core machine (seen up to 1.4 s): a
    // caller that waited on it stands out. Tokens are handed out for 11 s and refreshed 6 s ahead,
    // so each refresh ends with at least 2.4 s to spare and the run sees three tokens.
    private static final Duration LIFETIME = Duration.ofSeconds(12);
    private static final Duration PLATFORM_LATENCY = Duration.ofSeconds(3);
    private static final Duration LOAD = Duration.ofSeconds(20);

    private ReplicaSet set;

    /** A replica learns of a rotation one Redis write and publish after the platform issued it. */
    private static final Duration LEARNING = Duration.ofMillis(500);

    private record Served(int status, String token, Instant sent, Instant at, long millis) {
    }

    @BeforeAll
    void start() {
        set = new ReplicaSet(3, Map.of(
                "broker.token.lifetime", LIFETIME.toSeconds() + "s",
                "broker.token.safety-margin", "1s",
                "broker.token.refresh-ahead", "6s",
                "broker.token.check-interval", "200ms",
                "broker.lock.wait-timeout", "10s",
                "broker.platform.timeout", "5s"));
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    void tokensRotateUnderLoadWithoutFailuresWaitsOrExtraCalls() throws Exception {
        set.send(set.tokenRequest(set.replica(0), "default"));
        set.platform.latency(PLATFORM_LATENCY);
        List<Served> served = Collections.synchronizedList(new ArrayList<>());
        Instant end = Instant.now().plus(LOAD);
        ExecutorService callers = Executors.newFixedThreadPool(9);
        for (int i = 0; i < 9; i++) {
            int caller = i;
            callers.execute(() -> {
                while (Instant.now().isBefore(end)) {
                    long start = System.nanoTime();
                    Instant sent = Instant.now();
                    HttpResponse<String> response = set.send(set.tokenRequest(set.replica(caller), "default"));
                    served.add(new Served(response.statusCode(), ReplicaSet.token(response.body()), sent,
                            Instant.now(), (System.nanoTime() - start) / 1_000_000));
                }
            });
        }
        callers.shutdown();
        assertThat(callers.awaitTermination(LOAD.toSeconds() + 30, TimeUnit.SECONDS)).isTrue();
        set.platform.latency(Duration.ZERO);

        assertThat(served).hasSizeGreaterThan(100);
        assertThat(served).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
        assertThat(served.stream().mapToLong(Served::millis).max().orElseThrow())
                .as("slowest caller (ms)").isLessThan(PLATFORM_LATENCY.toMillis());
        assertThat(served).allSatisfy(s -> {
            Instant issued = set.platform.issuedAt(s.token());
            assertThat(issued).as("a token the platform issued").isNotNull();
            assertThat(Duration.between(issued, s.at())).as("age when served").isLessThan(LIFETIME);
            Instant invalidated = set.platform.invalidatedAt(s.token());
            if (invalidated != null) {
                assertThat(s.sent()).as("asked before the platform replaced the token served")
                        .isBefore(invalidated.plus(LEARNING));
            }
        });
        Set<String> tokens = served.stream().map(Served::token).collect(Collectors.toSet());
        assertThat(tokens).as("rotations during the run").hasSizeGreaterThanOrEqualTo(3);
        // A refresh may still be waiting on the platform: every call ends with a token.
        String clientId = TestAccounts.clientId("default");
        org.awaitility.Awaitility.await("one platform call per token")
                .atMost(PLATFORM_LATENCY.plusSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> set.platform.calls(clientId) == set.platform.issuedTo(clientId).size());
        List<String> issued = set.platform.issuedTo(clientId);
        assertThat(tokens).as("every token but one issued at the very end was served")
                .containsAll(issued.subList(0, issued.size() - 1).stream().filter(t -> !t.equals(issued.get(0)))
                        .toList());
    }
}
