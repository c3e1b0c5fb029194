package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import io.tokenbroker.testing.TokenLoad;
import io.tokenbroker.testing.TokenLoad.Served;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A platform slower than {@code broker.platform.timeout} (3 s against 2 s, scaled down from 12 s
 * against 10 s) whose new token kills the previous one, on two replicas: a call that outlives its
 * callers' wait is not given up on, and its token is stored and served (it is the platform's newest),
 * so each acquisition costs one token and callers keep a valid one while tokens rotate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlatformSlowerThanTimeOutIT {

    private static final Duration LATENCY = Duration.ofSeconds(3);
    private static final Duration LOAD = Duration.ofSeconds(20);
    private static final Duration LEARNING = Duration.ofMillis(500);

    private ReplicaSet set;

    @BeforeAll
    void start() {
        set = new ReplicaSet(2, Map.of(
                "broker.token.lifetime", "12s",
                "broker.token.safety-margin", "1s",
                "broker.token.refresh-ahead", "6s",
                "broker.token.check-interval", "200ms",
                "broker.platform.timeout", "2s",
                "broker.platform.late-answer-timeout", "10s",
                "broker.lock.wait-timeout", "10s"));
        set.platform.latency(LATENCY);
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    void aColdCallerGets503AtTheTimeOutAndTheTokenTheSlowCallBringsIsServedWithoutAnotherCall() {
        String clientId = TestAccounts.clientId("cold");

        HttpResponse<String> first = set.send(set.tokenRequest(set.replica(0), "cold"));

        assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> set.platform.issuedTo(clientId).size() == 1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            HttpResponse<String> later = set.send(set.tokenRequest(set.replica(1), "cold"));
            assertThat(later.statusCode()).isEqualTo(200);
            assertThat(ReplicaSet.token(later.body())).isEqualTo(set.platform.issuedTo(clientId).get(0));
        });
        assertThat(set.platform.calls(clientId)).as("the slow call's token was kept: no second call").isEqualTo(1);
    }

    @Test
    void tokensRotateBehindASlowPlatformWithOneCallPerRotationAndNoDeadTokenServed() {
        String clientId = TestAccounts.clientId("default");
        Awaitility.await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() ->
                set.send(set.tokenRequest(set.replica(0), "default")).statusCode() == 200);

        List<Served> served = TokenLoad.run(set, set.replicas, "default", 4, LOAD);

        assertThat(served).hasSizeGreaterThan(50);
        assertThat(served).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
        assertThat(TokenLoad.dead(served, set.platform, LEARNING)).as("tokens served after the platform had "
                + "replaced them").isEmpty();
        Set<String> tokens = served.stream().map(Served::token).collect(Collectors.toSet());
        assertThat(tokens).as("rotations during the run").hasSizeGreaterThanOrEqualTo(3);
        Awaitility.await("every call answered").atMost(LATENCY.plusSeconds(2))
                .until(() -> set.platform.calls(clientId) == set.platform.issuedTo(clientId).size());
        // LOAD over (11 s handed out - 6 s refreshed ahead) is 4 rotations, plus the first token.
        assertThat(set.platform.calls(clientId)).as("one platform call per rotation").isLessThanOrEqualTo(6);
    }
}
