package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.support.TokenFingerprint;
import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.RedisServerProcess;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** Several packaged replicas sharing one real Redis behave as one broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerReplicasIT {

    private static final String CLIENT_ID = TestAccounts.clientId("default");

    private ReplicaSet set;

    @BeforeAll
    void startTwoReplicas() {
        // The shared test time-out (500 ms) is for failure scenarios; here the platform answers in 300 ms
        // to replicas that are still cold and under 400 requests, and a timed-out first attempt would be
        // retried: a second platform call that says nothing about the single flight this class tests.
        set = new ReplicaSet(2, Map.of("broker.platform.timeout", "5s"));
    }

    @AfterAll
    void stopEverything() {
        set.close();
    }

    @Test
    @Order(1)
    void coldCallersOnEveryReplicaShareOnePlatformCall() {
        set.platform.latency(Duration.ofMillis(300));
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            answers.add(set.http().sendAsync(set.tokenRequest(set.replica(i), "default"),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = answers.stream().map(CompletableFuture::join).toList();
        set.platform.latency(Duration.ZERO);

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        Set<String> tokens = responses.stream().map(r -> ReplicaSet.token(r.body())).collect(Collectors.toSet());
        assertThat(tokens).hasSize(1);
        assertThat(set.platform.calls(CLIENT_ID)).isEqualTo(1);
        assertThat(set.platform.isValid(tokens.iterator().next())).isTrue();
        assertThat(set.platform.protocolViolations()).isZero();
    }

    @Test
    @Order(2)
    void theSharedRecordLivesLessThanTwoHours() {
        long ttl = Long.parseLong(set.redis.call("PTTL", "token-broker:{default}:token").substring(1));
        assertThat(ttl).isGreaterThan(0).isLessThan(Duration.ofHours(2).toMillis());
        assertThat(ttl).isGreaterThan(Duration.ofMinutes(110).toMillis());
    }

    @Test
    @Order(3)
    void aReplicaStartedLaterReadsTheTokenFromRedis() {
        String known = ReplicaSet.token(set.send(set.tokenRequest(set.replica(0), "default")).body());
        BrokerReplica late = set.startReplica();

        String served = ReplicaSet.token(set.send(set.tokenRequest(late, "default")).body());

        assertThat(served).isEqualTo(known);
        assertThat(set.platform.calls(CLIENT_ID)).isEqualTo(1);
    }

    @Test
    @Order(4)
    void anOperatorsRotationOnOneReplicaIsOnePlatformCallThatEveryReplicaFollows() {
        String client = TestAccounts.ADMIN_ROTATED;
        String before = set.tokenFrom(set.replica(0), client);
        int calls = set.platform.calls(TestAccounts.clientId(client));

        HttpResponse<String> rotated = set.send(HttpRequest.newBuilder(
                        set.replica(1).managementUri("/q/broker/clients/" + client + "/rotate"))
                .header("Authorization", "Bearer " + TestAccounts.OLGA_KEY)
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build());

        assertThat(rotated.statusCode()).isEqualTo(200);
        assertThat(rotated.body()).doesNotContain(before);
        String after = set.platform.currentToken(TestAccounts.clientId(client));
        assertThat(after).isNotEqualTo(before);
        assertThat(rotated.body()).doesNotContain(after).contains(TokenFingerprint.of(after));
        assertThat(set.platform.calls(TestAccounts.clientId(client))).isEqualTo(calls + 1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> set.replicas.forEach(replica ->
                assertThat(set.tokenFrom(replica, client)).as("every replica serves the new token").isEqualTo(after)));
        assertThat(set.platform.calls(TestAccounts.clientId(client))).isEqualTo(calls + 1);
    }

    @Test
    @Order(5)
    void noSecretOrTokenReachesAnyReplicasLog() {
        String logs = set.logs();
        assertThat(logs).contains("stored token sha256:");
        TestAccounts.CLIENTS.forEach(client -> assertThat(logs).doesNotContain(TestAccounts.secret(client)));
        set.platform.issuedTokens().forEach(token -> assertThat(logs).doesNotContain(token));
        assertThat(logs).doesNotContain(TestAccounts.ALICE_KEY).doesNotContain(RedisServerProcess.PASSWORD);
        assertThat(logs).as("no noise at start-up").doesNotContain("has been already registered");
    }
}
