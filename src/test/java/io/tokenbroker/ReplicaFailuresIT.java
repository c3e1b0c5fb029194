package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
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

/** Three replicas through refresh storms, a killed lock holder, and a Redis restarted empty. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaFailuresIT {

    private ReplicaSet set;
    private final List<BrokerReplica> alive = new ArrayList<>();

    @BeforeAll
    void start() {
        set = new ReplicaSet(3, Map.of("broker.lock.lease", "2s", "broker.lock.wait-timeout", "20s",
                "broker.token.check-interval", "200ms", "broker.platform.timeout", "5s"));
        alive.addAll(set.replicas);
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    @Order(1)
    void aStormOfRefreshReportsOnEveryReplicaCausesOnePlatformCall() {
        String rejected = tokenFrom(alive.get(0), "default");
        alive.forEach(replica -> assertThat(tokenFrom(replica, "default")).isEqualTo(rejected));
        int calls = set.platform.calls(TestAccounts.clientId("default"));

        List<CompletableFuture<HttpResponse<String>>> reports = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            reports.add(set.http().sendAsync(set.refreshRequest(alive.get(i % 3), "default", rejected),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> answers = reports.stream().map(CompletableFuture::join).toList();

        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        Set<String> tokens = answers.stream().map(a -> ReplicaSet.token(a.body())).collect(Collectors.toSet());
        assertThat(tokens).hasSize(1).doesNotContain(rejected);
        assertThat(set.platform.calls(TestAccounts.clientId("default"))).isEqualTo(calls + 1);
        assertThat(set.platform.isValid(tokens.iterator().next())).isTrue();
    }

    @Test
    @Order(2)
    void aLockHolderKilledMidAcquisitionIsReplacedWithinTheLease() {
        set.platform.latency(Duration.ofSeconds(3));
        try {
            List<CompletableFuture<HttpResponse<String>>> requests = List.of(
                    set.http().sendAsync(set.tokenRequest(alive.get(0), "cold"), HttpResponse.BodyHandlers.ofString()),
                    set.http().sendAsync(set.tokenRequest(alive.get(1), "cold"), HttpResponse.BodyHandlers.ofString()));
            // Mid-acquisition: the holder's call has reached the platform, which takes 3 s to answer.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> set.platform.calls(TestAccounts.clientId("cold")) == 1);
            String owner = set.redis.call("GET", "token-broker:{cold}:lock");
            long pid = Long.parseLong(owner.split("/")[1]);
            BrokerReplica holder = alive.stream().filter(r -> r.pid() == pid).findFirst().orElseThrow();
            int survivor = alive.indexOf(holder) == 0 ? 1 : 0;

            holder.kill();
            alive.remove(holder);

            HttpResponse<String> answer = requests.get(survivor).join();
            assertThat(answer.statusCode()).isEqualTo(200);
            String token = ReplicaSet.token(answer.body());
            assertThat(set.platform.isValid(token)).isTrue();
            assertThat(set.platform.calls(TestAccounts.clientId("cold"))).isEqualTo(2);
        } finally {
            set.platform.latency(Duration.ZERO);
        }
    }

    @Test
    @Order(3)
    void replicasServeFromMemoryThroughARedisOutageAndOneRefillsItAfterwards() throws Exception {
        String token = tokenFrom(alive.get(0), "other");
        alive.forEach(replica -> assertThat(tokenFrom(replica, "other")).isEqualTo(token));
        int calls = set.platform.calls(TestAccounts.clientId("other"));

        set.redis.stop();
        alive.forEach(replica -> assertThat(tokenFrom(replica, "other")).isEqualTo(token));
        set.redis.start();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> set.redis.call("HGET", "token-broker:{other}:token", "token"), token::equals);
        alive.forEach(replica -> assertThat(tokenFrom(replica, "other")).isEqualTo(token));
        assertThat(set.platform.calls(TestAccounts.clientId("other"))).isEqualTo(calls);
        assertThat(set.logs()).contains("wrote back token");
    }

    @Test
    @Order(4)
    void noSecretOrTokenReachesAnyReplicasLog() {
        String logs = set.logs();
        TestAccounts.CLIENTS.forEach(client -> assertThat(logs).doesNotContain(TestAccounts.secret(client)));
        set.platform.issuedTokens().forEach(token -> assertThat(logs).doesNotContain(token));
    }

    private String tokenFrom(BrokerReplica replica, String client) {
        HttpResponse<String> response = set.send(set.tokenRequest(replica, client));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ReplicaSet.token(response.body());
    }
}
