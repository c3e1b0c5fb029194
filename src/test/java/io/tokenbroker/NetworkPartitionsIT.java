package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.RedisServerProcess;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import io.tokenbroker.testing.TestNetwork;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Links cut for real while tokens rotate: two packaged replicas, Redis and the platform stand-in (whose
 * new token kills the previous one) on hosts of their own in Linux network namespaces
 * ({@link TestNetwork}), the replicas each other's peers. Each scenario states what the cut may cost.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetworkPartitionsIT {

    /** A rotation reaches a replica cut from Redis through its peer within a check or two. */
    private static final Duration LEARNING = Duration.ofSeconds(1);
    private static final Duration LIFETIME = Duration.ofSeconds(12);
    /** The floor between two platform calls of a replica without the lock (min-forced-refresh-interval). */
    private static final Duration FLOOR = Duration.ofSeconds(5);

    private TestNetwork network;
    private TestNetwork.Host redisHost;
    private TestNetwork.Host hostA;
    private TestNetwork.Host hostB;
    private RedisServerProcess redis;
    private PlatformStandIn platform;
    private BrokerReplica a;
    private BrokerReplica b;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private record Served(int status, String token, Instant sent) {
    }

    @BeforeAll
    void start() {
        network = TestNetwork.create();
        redisHost = network.host("redis");
        hostA = network.host("a");
        hostB = network.host("b");
        redis = RedisServerProcess.launchIn(redisHost);
        platform = PlatformStandIn.start(network.platformAddress());
        TestAccounts.register(platform);
        Map<String, String> config = new HashMap<>(TestAccounts.brokerConfig(platform));
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        config.putAll(Map.of(
                "quarkus.redis.hosts", redis.uri(),
                "quarkus.redis.password", RedisServerProcess.PASSWORD,
                "quarkus.redis.timeout", "2s",
                "broker.store.encryption-key", Base64.getEncoder().encodeToString(key),
                "broker.peers", hostA.address() + ":" + BrokerReplica.IN_NAMESPACE_MANAGEMENT_PORT + ","
                        + hostB.address() + ":" + BrokerReplica.IN_NAMESPACE_MANAGEMENT_PORT,
                "broker.token.lifetime", LIFETIME.toSeconds() + "s",
                "broker.token.safety-margin", "1s",
                "broker.token.refresh-ahead", "6s",
                "broker.token.check-interval", "200ms",
                "broker.lock.lease", "2s"));
        config.put("broker.platform.timeout", "3s");
        config.put("broker.token.min-forced-refresh-interval", FLOOR.toSeconds() + "s");
        config.put("broker.platform.late-answer-timeout", "5s");
        a = BrokerReplica.startIn(hostA, config);
        b = BrokerReplica.startIn(hostB, config);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {a, b, redis, platform, network}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // the others are closed all the same
            }
        }
    }

    @Test
    void aReplicaCutFromRedisServesTheRotationsItsPeerMakesAndNeverCallsThePlatform() throws Exception {
        String client = "refresh-a";
        String first = token(a, client);
        assertThat(token(b, client)).isEqualTo(first);

        network.cut(hostA, redisHost);
        List<Served> served;
        try {
            served = load(client, Duration.ofSeconds(15));
        } finally {
            network.heal(hostA, redisHost);
        }

        assertThat(served).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
        assertThat(served.stream().filter(s -> {
            Instant invalidated = platform.invalidatedAt(s.token());
            return invalidated != null && s.sent().isAfter(invalidated.plus(LEARNING));
        })).as("tokens served after the platform had replaced them").isEmpty();
        List<String> issued = platform.issuedTo(TestAccounts.clientId(client));
        // 15 s over (11 s handed out - 6 s ahead) is 3 rotations, all made by the replica that reaches Redis.
        assertThat(issued).as("tokens issued: the first and the peer's rotations, none by the cut replica")
                .hasSizeBetween(3, 5);
        assertThat(a.output()).as("the cut replica learned the rotations from its peer")
                .contains("adopting generation").contains("from a peer");
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(token(a, client)).isEqualTo(token(b, client)).isEqualTo(platform.currentToken(
                        TestAccounts.clientId(client))));
    }

    @Test
    void replicasCutFromThePlatformServeTheirTokenToItsEndThen503AndOneTokenAfterHealing() throws Exception {
        String client = "refresh-b";
        String clientId = TestAccounts.clientId(client);
        String held = token(a, client);
        Instant acquired = platform.issuedAt(held);

        network.cutFromPlatform(hostA);
        network.cutFromPlatform(hostB);
        try {
            assertThat(token(b, client)).as("served while valid").isEqualTo(held);
            Awaitility.await().atMost(LIFETIME.plusSeconds(5)).pollInterval(Duration.ofMillis(200))
                    .until(() -> send(a, client).statusCode() == 503);
            assertThat(Duration.between(acquired, Instant.now())).as("served to its end")
                    .isGreaterThan(LIFETIME.minusSeconds(2));
            HttpResponse<String> refused = send(b, client);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        } finally {
            network.healFromPlatform(hostA);
            network.healFromPlatform(hostB);
        }

        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .untilAsserted(() -> assertThat(token(a, client)).isEqualTo(token(b, client)));
        // A refresh ahead that was backing off may ask as the other replica's caller does: one more at most.
        assertThat(platform.issuedTo(clientId)).as("the first token, then one or two after healing, none meanwhile")
                .hasSizeBetween(2, 3);
    }

    @Test
    void aLockHolderCutFromRedisMidCallCostsOneMoreTokenAndServesThePeersAfterwards() throws Exception {
        String client = "refresh-c";
        String clientId = TestAccounts.clientId(client);
        platform.latency(Duration.ofMillis(1500));
        try {
            CompletableFuture<HttpResponse<String>> holder = http.sendAsync(request(a, client),
                    HttpResponse.BodyHandlers.ofString());
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> platform.calls(clientId) == 1);
            network.cut(hostA, redisHost);
            try {
                holder.join();
                // The holder's lease runs out on Redis' clock; the other replica then obtains its own.
                String peers = token(b, client);
                Awaitility.await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
                assertThat(platform.calls(clientId)).as("the cut holder's call and the peer's, no more").isEqualTo(2);
                Awaitility.await().atMost(Duration.ofSeconds(3))
                        .untilAsserted(() -> assertThat(token(a, client)).as("learned from the peer").isEqualTo(peers));
            } finally {
                network.heal(hostA, redisHost);
            }
        } finally {
            platform.latency(Duration.ZERO);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(token(a, client)).isEqualTo(token(b, client));
            assertThat(platform.isValid(token(a, client))).isTrue();
        });
    }

    @Test
    void aReplicaCutFromRedisAndItsPeerCallsThePlatformAtMostOncePerFloorAndNoneOfItsTokensOutlivesTheHealing()
            throws Exception {
        String client = "refresh-d";
        String first = token(a, client);
        assertThat(token(b, client)).isEqualTo(first);
        Duration cut = Duration.ofSeconds(22);

        network.cut(hostA, redisHost);
        network.cut(hostA, hostB);
        try {
            List<Served> served = load(client, cut);
            assertThat(served).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
        } finally {
            network.heal(hostA, redisHost);
            network.heal(hostA, hostB);
        }

        // Its token ran out about 11 s after the first was issued: from then on, one call per floor at most.
        long alone = a.output().lines().filter(line -> line.contains("obtaining a token without the lock")
                && line.contains("Client " + client + ":")).count();
        assertThat(alone).as("platform calls of the cut replica").isBetween(1L, cut.minus(LIFETIME)
                .dividedBy(FLOOR) + 2);
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            String onA = token(a, client);
            assertThat(onA).as("one token after healing").isEqualTo(token(b, client));
            assertThat(platform.isValid(onA)).as("and a valid one").isTrue();
        });
    }

    private List<Served> load(String client, Duration duration) throws InterruptedException {
        List<Served> served = Collections.synchronizedList(new ArrayList<>());
        Instant end = Instant.now().plus(duration);
        List<Thread> callers = new ArrayList<>();
        for (BrokerReplica replica : List.of(a, b, a)) {
            Thread caller = new Thread(() -> {
                while (Instant.now().isBefore(end)) {
                    Instant sent = Instant.now();
                    HttpResponse<String> answer = send(replica, client);
                    served.add(new Served(answer.statusCode(), ReplicaSet.token(answer.body()), sent));
                }
            });
            caller.start();
            callers.add(caller);
        }
        for (Thread caller : callers) {
            caller.join(duration.plusSeconds(30).toMillis());
        }
        return served;
    }

    private String token(BrokerReplica replica, String client) {
        HttpResponse<String> answer = send(replica, client);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return ReplicaSet.token(answer.body());
    }

    private HttpResponse<String> send(BrokerReplica replica, String client) {
        try {
            return http.send(request(replica, client), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest request(BrokerReplica replica, String client) {
        return HttpRequest.newBuilder(replica.uri("/token?client=" + client))
                .header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).timeout(Duration.ofSeconds(20)).build();
    }
}
