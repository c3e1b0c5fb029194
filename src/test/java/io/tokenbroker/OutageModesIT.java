package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Redis down for longer than a token lives: a replica in {@code local} mode keeps a token without the
 * lock, calling the platform at most once per floor however many callers report; one in {@code fail}
 * mode refuses once its token expires; both agree on one token once Redis is back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutageModesIT {

    private ReplicaSet set;
    private BrokerReplica local;
    private BrokerReplica otherLocal;
    private BrokerReplica failing;

    @BeforeAll
    void start() {
        set = new ReplicaSet(0, Map.of("broker.token.lifetime", "8s", "broker.token.safety-margin", "1s",
                "broker.token.refresh-ahead", "3s", "broker.token.check-interval", "200ms",
                "broker.token.min-forced-refresh-interval", "20s"));
        local = set.startReplica(Map.of("broker.redis-outage", "local"));
        otherLocal = set.startReplica(Map.of("broker.redis-outage", "local"));
        failing = set.startReplica(Map.of("broker.redis-outage", "fail"));
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    @Order(1)
    void twentyReportsDuringAnOutageCauseAtMostOnePlatformCallPerReplica() throws Exception {
        String rejected = set.tokenFrom(local, "other");
        assertThat(set.tokenFrom(otherLocal, "other")).isEqualTo(rejected);
        int calls = set.platform.calls(TestAccounts.clientId("other"));
        set.redis.stop();
        try {
            List<HttpResponse<String>> answers = set.sendAll(IntStream.range(0, 20)
                    .mapToObj(i -> set.refreshRequest(i % 2 == 0 ? local : otherLocal, "other", rejected)).toList());

            assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200));
            assertThat(answers).allSatisfy(answer -> assertThat(ReplicaSet.token(answer.body())).isNotEqualTo(rejected));
            assertThat(set.platform.calls(TestAccounts.clientId("other"))).isLessThanOrEqualTo(calls + 2);

            String replacement = set.tokenFrom(local, "other");
            HttpResponse<String> again = set.send(set.refreshRequest(local, "other", replacement));
            assertThat(again.statusCode()).as("a second report within the floor").isIn(429, 503);
            assertThat(set.platform.calls(TestAccounts.clientId("other"))).isLessThanOrEqualTo(calls + 2);
        } finally {
            set.redis.start();
        }
    }

    @Test
    @Order(2)
    void aTokenExpiringMidOutageIsReplacedLocallyOrRefusedAndAllAgreeAfterwards() throws Exception {
        String first = set.tokenFrom(local, "default");
        assertThat(set.tokenFrom(failing, "default")).isEqualTo(first);
        set.redis.stop();
        try {
            await().atMost(Duration.ofSeconds(12)).pollInterval(Duration.ofMillis(100))
                    .until(() -> set.send(set.tokenRequest(failing, "default")).statusCode() == 503);
            String kept = set.tokenFrom(local, "default");
            assertThat(kept).isNotEqualTo(first);
            assertThat(set.tokenFrom(otherLocal, "default")).isNotEqualTo(first);
        } finally {
            set.redis.start();
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            String agreed = set.tokenFrom(local, "default");
            assertThat(set.tokenFrom(otherLocal, "default")).isEqualTo(agreed);
            assertThat(set.tokenFrom(failing, "default")).isEqualTo(agreed);
        });
    }
}
