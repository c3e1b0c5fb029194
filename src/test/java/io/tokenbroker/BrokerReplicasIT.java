package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.RedisServerProcess;
import io.tokenbroker.testing.TestAccounts;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    private static final Pattern TOKEN = Pattern.compile("\"accessToken\":\"([^\"]+)\"");
    private static final String CLIENT_ID = TestAccounts.clientId("default");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<BrokerReplica> replicas = new ArrayList<>();
    private RedisServerProcess redis;
    private PlatformStandIn platform;
    private Map<String, String> config;

    @BeforeAll
    void startTwoReplicas() {
        redis = RedisServerProcess.launch();
        platform = PlatformStandIn.start();
        TestAccounts.register(platform);
        config = new HashMap<>(TestAccounts.brokerConfig(platform, redis.uri()));
        config.put("quarkus.log.category.\"io.tokenbroker\".level", "DEBUG");
        replicas.add(BrokerReplica.start(config));
        replicas.add(BrokerReplica.start(config));
    }

    @AfterAll
    void stopEverything() {
        replicas.forEach(BrokerReplica::close);
        platform.close();
        redis.close();
    }

    @Test
    @Order(1)
    void coldCallersOnEveryReplicaShareOnePlatformCall() {
        platform.latency(Duration.ofMillis(300));
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            answers.add(http.sendAsync(tokenRequest(replicas.get(i % 2)), HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = answers.stream().map(CompletableFuture::join).toList();
        platform.latency(Duration.ZERO);

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        Set<String> tokens = responses.stream().map(r -> token(r.body())).collect(Collectors.toSet());
        assertThat(tokens).hasSize(1);
        assertThat(platform.calls(CLIENT_ID)).isEqualTo(1);
        assertThat(platform.isValid(tokens.iterator().next())).isTrue();
        assertThat(platform.protocolViolations()).isZero();
    }

    @Test
    @Order(2)
    void theSharedRecordLivesLessThanTwoHours() {
        long ttl = Long.parseLong(redis.call("PTTL", "token-broker:{default}:token").substring(1));
        assertThat(ttl).isGreaterThan(0).isLessThan(Duration.ofHours(2).toMillis());
        assertThat(ttl).isGreaterThan(Duration.ofMinutes(110).toMillis());
    }

    @Test
    @Order(3)
    void aReplicaStartedLaterReadsTheTokenFromRedis() throws Exception {
        String known = token(http.send(tokenRequest(replicas.get(0)), HttpResponse.BodyHandlers.ofString()).body());
        BrokerReplica late = BrokerReplica.start(config);
        replicas.add(late);

        String served = token(http.send(tokenRequest(late), HttpResponse.BodyHandlers.ofString()).body());

        assertThat(served).isEqualTo(known);
        assertThat(platform.calls(CLIENT_ID)).isEqualTo(1);
    }

    @Test
    @Order(4)
    void noSecretOrTokenReachesAnyReplicasLog() {
        String logs = replicas.stream().map(BrokerReplica::output).collect(Collectors.joining("\n"));
        assertThat(logs).contains("stored token sha256:");
        for (String client : TestAccounts.CLIENTS) {
            assertThat(logs).doesNotContain(TestAccounts.secret(client));
        }
        for (String token : platform.issuedTokens()) {
            assertThat(logs).doesNotContain(token);
        }
        assertThat(logs).doesNotContain(TestAccounts.ALICE_KEY);
    }

    private static HttpRequest tokenRequest(BrokerReplica replica) {
        return HttpRequest.newBuilder(replica.uri("/token"))
                .header("Authorization", "Bearer " + TestAccounts.ALICE_KEY)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    private static String token(String body) {
        Matcher matcher = TOKEN.matcher(body);
        assertThat(matcher.find()).as("a token in %s", body).isTrue();
        return matcher.group(1);
    }
}
