package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.ShiftedClock;
import io.tokenbroker.testing.TestAccounts;
import io.tokenbroker.testing.TokenLoad;
import io.tokenbroker.testing.TokenLoad.Served;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One replica's wall clock far from the other's, for real (libfaketime), while tokens rotate every few
 * seconds on a platform whose new token kills the previous one: each replica serves the newest token
 * (never one the platform replaced, beyond the moment it takes to learn of the rotation), no replica
 * writes an older token over a newer one, and each rotation costs one platform call. On a clock ahead,
 * records written by the others look expired; on a clock behind, they look acquired in the future:
 * neither is a reason to fetch or write back a token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClockSkewIT {

    private static final Duration LIFETIME = Duration.ofSeconds(12);
    private static final Duration LOAD = Duration.ofSeconds(20);
    /**
     * A replica learns of a rotation one Redis write and publish after the platform issued it; a replica
     * under libfaketime on a loaded 2-core machine was seen taking 750 ms, so a second is allowed.
     */
    private static final Duration LEARNING = Duration.ofSeconds(1);
    private static final Pattern OFFSET = Pattern.compile("(?m)^broker_clock_offset_seconds (\\S+)$");

    private ReplicaSet set;

    @BeforeAll
    void start() {
        set = new ReplicaSet(1, Map.of(
                "broker.token.lifetime", LIFETIME.toSeconds() + "s",
                "broker.token.safety-margin", "1s",
                "broker.token.refresh-ahead", "6s",
                "broker.token.check-interval", "200ms",
                "broker.platform.timeout", "5s"));
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    void aReplicaWhoseClockIsNinetySecondsBehindServesTheNewestTokenAndCostsNoExtraOne() {
        rotateUnderLoad(Duration.ofSeconds(-90), "refresh-a");
    }

    @Test
    void aReplicaWhoseClockIsNinetySecondsAheadServesTheNewestTokenAndCostsNoExtraOne() {
        rotateUnderLoad(Duration.ofSeconds(90), "refresh-b");
    }

    @Test
    void aReplicaWhoseClockIsAnHourBehindServesTheNewestTokenAndCostsNoExtraOne() {
        rotateUnderLoad(Duration.ofHours(-1), "refresh-c");
    }

    @Test
    void aReplicaWhoseClockIsAnHourAheadServesTheNewestTokenAndCostsNoExtraOne() {
        rotateUnderLoad(Duration.ofHours(1), "refresh-d");
    }

    @Test
    void aReplicaWhoseClockStepsAnHourBackThenNinetySecondsAheadMidRunServesTheNewestTokenAndCostsNoExtraOne()
            throws Exception {
        String client = "healthy";
        java.nio.file.Path clock = java.nio.file.Files.createTempFile("faketime-", ".rc");
        BrokerReplica stepping = set.startReplicaWithSteppableClock(clock);
        try {
            set.send(set.tokenRequest(set.replica(0), client));
            java.util.concurrent.ScheduledExecutorService steps = java.util.concurrent.Executors
                    .newSingleThreadScheduledExecutor();
            steps.schedule(() -> ShiftedClock.step(clock, Duration.ofHours(-1)), 6, TimeUnit.SECONDS);
            steps.schedule(() -> ShiftedClock.step(clock, Duration.ofSeconds(90)), 13, TimeUnit.SECONDS);
            List<Served> served = TokenLoad.run(set, List.of(set.replica(0), stepping), client, 2, LOAD);
            steps.shutdownNow();

            assertThat(served).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
            assertThat(TokenLoad.dead(served, set.platform, LEARNING)).as("tokens served after the platform had "
                    + "replaced them").isEmpty();
            assertThat(set.platform.calls(TestAccounts.clientId(client))).as("platform calls").isLessThanOrEqualTo(6);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(offsetMeasured(stepping)).as("the stepped clock, measured against Redis")
                            .isCloseTo(90, org.assertj.core.data.Offset.offset(5.0)));
        } finally {
            stepping.close();
            set.replicas.remove(stepping);
        }
    }

    private void rotateUnderLoad(Duration offset, String client) {
        BrokerReplica shifted = set.startReplicaWithClock(offset);
        try {
            set.send(set.tokenRequest(set.replica(0), client));
            // One caller per replica: libfaketime makes the shifted one slow, and a loaded 2-core machine slower.
            List<Served> served = TokenLoad.run(set, List.of(set.replica(0), shifted), client, 2, LOAD);

            assertThat(served).hasSizeGreaterThan(100);
            assertThat(served).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
            assertThat(TokenLoad.dead(served, set.platform, LEARNING)).as("tokens served after the platform had "
                    + "replaced them").isEmpty();
            String clientId = TestAccounts.clientId(client);
            Set<String> tokens = served.stream().map(Served::token).collect(Collectors.toSet());
            assertThat(tokens).as("rotations during the run").hasSizeGreaterThanOrEqualTo(3);
            // One token per rotation: LOAD over (handed out 11 s - refreshed 6 s ahead) is 4, plus the first.
            assertThat(set.platform.calls(clientId)).as("platform calls").isLessThanOrEqualTo(6);
            assertThat(offsetMeasured(shifted)).as("the shifted replica's clock offset, measured against Redis")
                    .isCloseTo(offset.toSeconds(), org.assertj.core.data.Offset.offset(5.0));
            assertThat(shifted.output()).doesNotContain("wrote back token").doesNotContain("is refused");
        } finally {
            shifted.close();
            set.replicas.remove(shifted);
        }
    }

    private double offsetMeasured(BrokerReplica replica) {
        HttpResponse<String> metrics = set.send(HttpRequest.newBuilder(replica.managementUri("/q/metrics")).build());
        Matcher offset = OFFSET.matcher(metrics.body());
        assertThat(offset.find()).as("broker_clock_offset_seconds is exported").isTrue();
        return Double.parseDouble(offset.group(1));
    }
}
