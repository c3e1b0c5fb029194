package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A replica stopped ({@code SIGTERM}) while its background refresh waits on a slow platform keeps the
 * lock until that call has answered: the other replica, whose refresh is due too, takes the token it
 * stored instead of asking for a second one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GracefulShutdownIT {

    private static final Duration PLATFORM_LATENCY = Duration.ofSeconds(3);

    private ReplicaSet set;

    @BeforeAll
    void start() {
        // Tokens are handed out for 19 s and refreshed 8 s ahead: the first refresh is due 11 s in, the
        // next one 11 s after that, well after this test has looked.
        set = new ReplicaSet(2, Map.of("broker.token.lifetime", "20s", "broker.token.safety-margin", "1s",
                "broker.token.refresh-ahead", "8s", "broker.token.check-interval", "200ms",
                "broker.platform.timeout", "10s", "broker.lock.wait-timeout", "20s"));
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    void aReplicaStoppedDuringItsBackgroundRefreshLetsTheCallFinishBeforeItGivesUpTheLock() {
        String clientId = TestAccounts.clientId("default");
        String first = set.tokenFrom(set.replica(0), "default");
        assertThat(set.tokenFrom(set.replica(1), "default")).isEqualTo(first);
        set.platform.latency(PLATFORM_LATENCY);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> set.platform.calls(clientId) == 2);
        BrokerReplica refreshing = set.lockHolder("default");
        BrokerReplica staying = set.replicas.get(1 - set.replicas.indexOf(refreshing));
        refreshing.close();

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> !set.tokenFrom(staying, "default").equals(first));
        String second = set.tokenFrom(staying, "default");
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5))
                .until(() -> set.platform.calls(clientId) == 2);
        assertThat(set.platform.isValid(second)).as("no second token replaced the one stored").isTrue();
    }
}
