package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two replicas sealing their records, and Redis written by someone else: nothing planted is served,
 * and what cannot be read is replaced without an outage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TamperedRedisIT {

    private static final String KEY = "q3w8Nf0r7Yd2kL5pXc9vB1mZ4tH6jS8eR0uI2oP4aQ8=";

    private ReplicaSet set;

    @BeforeAll
    void start() {
        set = new ReplicaSet(2, Map.of("broker.store.encryption-key", KEY, "broker.token.check-interval", "200ms"));
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    void aClearRecordPlantedWithAHugeGenerationIsNeverServedAndFencingStillHolds() {
        long now = System.currentTimeMillis();
        set.redis.plant(":4", "HSET", record("cold"), "token", "planted-token", "generation", "9000000000000000000",
                "acquired-at", Long.toString(now), "expires-at", Long.toString(now + 3_600_000));

        List<HttpResponse<String>> answers = set.sendAll(IntStream.range(0, 10)
                .mapToObj(i -> set.tokenRequest(set.replica(i), "cold")).toList());

        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        String served = ReplicaSet.token(answers.get(0).body());
        assertThat(answers).allSatisfy(answer -> assertThat(ReplicaSet.token(answer.body())).isEqualTo(served));
        assertThat(served).isNotEqualTo("planted-token");
        assertThat(set.platform.isValid(served)).isTrue();
        assertThat(set.platform.calls(TestAccounts.clientId("cold"))).isEqualTo(1);

        HttpResponse<String> refreshed = set.send(set.refreshRequest(set.replica(1), "cold", served));
        assertThat(refreshed.statusCode()).isEqualTo(200);
        String next = ReplicaSet.token(refreshed.body());
        assertThat(set.platform.isValid(next)).isTrue();
        assertThat(set.platform.calls(TestAccounts.clientId("cold"))).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> set.tokenFrom(set.replica(0), "cold").equals(next));
    }

    @Test
    void aKeyOfTheWrongTypeLeavesCallersOnTheValidTokenAndIsReplacedUnderTheLock() {
        String token = set.tokenFrom(set.replica(0), "other");
        assertThat(set.tokenFrom(set.replica(1), "other")).isEqualTo(token);
        int calls = set.platform.calls(TestAccounts.clientId("other"));

        set.redis.plant("+OK", "SET", record("other"), "not a hash");

        set.replicas.forEach(replica -> assertThat(set.tokenFrom(replica, "other")).isEqualTo(token));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> "+hash".equals(set.redis.call("TYPE", record("other"))));
        set.replicas.forEach(replica -> assertThat(set.tokenFrom(replica, "other")).isEqualTo(token));
        assertThat(set.platform.calls(TestAccounts.clientId("other"))).isEqualTo(calls);

        set.redis.plant("+OK", "SET", record("other"), "not a hash again");
        HttpResponse<String> refreshed = set.send(set.refreshRequest(set.replica(1), "other", token));
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        String next = ReplicaSet.token(refreshed.body());
        assertThat(next).isNotEqualTo(token);
        assertThat(set.platform.isValid(next)).isTrue();
        assertThat(set.platform.calls(TestAccounts.clientId("other"))).isEqualTo(calls + 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> set.tokenFrom(set.replica(0), "other").equals(next));
    }

    private static String record(String client) {
        return "token-broker:{" + client + "}:token";
    }
}
