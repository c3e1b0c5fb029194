package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A platform that takes seconds to issue a token and invalidates the previous one when it does, with
 * the default time-outs: a slow answer is waited for, never retried into a second token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlowPlatformIT {

    private ReplicaSet set;

    @BeforeAll
    void start() {
        set = ReplicaSet.withDefaultTiming(2, Map.of());
        set.platform.latency(Duration.ofSeconds(3));
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    @Order(1)
    void twentyColdCallersOnTwoReplicasAllGetTheOneTokenIssued() {
        List<HttpResponse<String>> answers = set.sendAll(IntStream.range(0, 20)
                .mapToObj(i -> set.tokenRequest(set.replica(i), "cold")).toList());

        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200));
        assertThat(tokens(answers)).hasSize(1).allMatch(set.platform::isValid);
        assertThat(set.platform.calls(TestAccounts.clientId("cold"))).isEqualTo(1);
    }

    @Test
    @Order(2)
    void twentyReportsOfTheTokenOnTwoReplicasIssueExactlyOneMore() {
        String rejected = set.tokenFrom(set.replica(0), "other");
        assertThat(set.tokenFrom(set.replica(1), "other")).isEqualTo(rejected);
        int calls = set.platform.calls(TestAccounts.clientId("other"));

        List<HttpResponse<String>> answers = set.sendAll(IntStream.range(0, 20)
                .mapToObj(i -> set.refreshRequest(set.replica(i), "other", rejected)).toList());

        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200));
        assertThat(tokens(answers)).hasSize(1).doesNotContain(rejected).allMatch(set.platform::isValid);
        assertThat(set.platform.calls(TestAccounts.clientId("other"))).isEqualTo(calls + 1);
    }

    @Test
    @Order(3)
    void aLockHolderKilledWhileThePlatformTakesFourSecondsIsReplacedWithinTwentyFiveSeconds() {
        set.platform.latency(Duration.ofSeconds(4));
        String clientId = TestAccounts.clientId("default");
        Instant start = Instant.now();
        List<CompletableFuture<HttpResponse<String>>> requests = List.of(send(set.tokenRequest(set.replica(0),
                "default")), send(set.tokenRequest(set.replica(1), "default")));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> set.platform.calls(clientId) == 1);
        BrokerReplica holder = set.lockHolder("default");
        int survivor = set.replicas.indexOf(holder) == 0 ? 1 : 0;

        holder.kill();

        HttpResponse<String> answer = requests.get(survivor).join();
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(25));
        assertThat(set.platform.isValid(ReplicaSet.token(answer.body()))).isTrue();
        assertThat(set.platform.calls(clientId)).isLessThanOrEqualTo(2);
    }

    private CompletableFuture<HttpResponse<String>> send(HttpRequest request) {
        return set.http().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> tokens(List<HttpResponse<String>> answers) {
        return answers.stream().map(answer -> ReplicaSet.token(answer.body())).collect(Collectors.toSet());
    }
}
