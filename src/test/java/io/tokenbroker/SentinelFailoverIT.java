package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.RedisSentinelProcesses;
import io.tokenbroker.testing.RedisServerProcess;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two replicas on Redis Sentinel ({@code quarkus.redis.client-type=sentinel}): a master, its replica
 * and three Sentinels. The master is killed ({@code kill -9}) while callers ask both replicas for
 * tokens. Tokens are served from memory, so callers never notice; afterwards the replicas listen on,
 * write to and restore lost records on the promoted replica, without a platform call they did not need.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SentinelFailoverIT {

    private static final String CLIENT = "default";
    private static final String RECORD = "token-broker:{" + CLIENT + "}:token";
    private static final String UPDATES = "token-broker:updates";
    private static final Duration CALLER_PERIOD = Duration.ofMillis(5);
    private static final int CALLERS = 4;
    /** The status recorded for a request that got no HTTP answer (refused, reset, timed out). */
    private static final int NO_ANSWER = -1;
    /** Load stops by itself after this, should the test fail before stopping it. */
    private static final Duration LOAD_LIMIT = Duration.ofSeconds(90);

    private RedisSentinelProcesses redis;
    private ReplicaSet set;
    private RedisServerProcess promoted;

    private record Answer(Instant sent, int status, String token) {
    }

    @BeforeAll
    void start() {
        redis = new RedisSentinelProcesses();
        set = ReplicaSet.onRedis(Map.of(
                "quarkus.redis.client-type", "sentinel",
                "quarkus.redis.hosts", redis.sentinelHosts(),
                "quarkus.redis.master-name", RedisSentinelProcesses.MASTER_NAME,
                "quarkus.redis.role", "master",
                "quarkus.redis.password", RedisServerProcess.PASSWORD), 2, Map.of(
                "broker.token.check-interval", "200ms",
                "broker.token.min-forced-refresh-interval", "1s"));
    }

    @AfterAll
    void stop() {
        if (set != null) {
            set.close();
        }
        redis.close();
    }

    @Test
    @Order(1)
    void callersKeepGettingTheValidTokenWhileTheMasterIsKilledUnderLoad() throws Exception {
        String token = set.tokenFrom(set.replica(0), CLIENT);
        assertThat(set.tokenFrom(set.replica(1), CLIENT)).isEqualTo(token);
        RedisServerProcess first = redis.master();
        assertThat(first.call("HGET", RECORD, "token")).isEqualTo(token);
        Queue<Answer> answers = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService callers = startCallers(answers);
        Instant killed;
        Instant followed;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() >= 200);
            killed = Instant.now();
            redis.killMaster();
            promoted = redis.awaitFailoverFrom(first, Duration.ofSeconds(30));
            await("both replicas subscribed on the promoted master").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> promoted.callForList("PUBSUB", "NUMSUB", UPDATES).get(1), ":2"::equals);
            followed = Instant.now();
            int atFollow = answers.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() >= atFollow + 200);
        } finally {
            callers.shutdownNow();
            assertThat(callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(answers).as("answers around the failover").anyMatch(a -> a.sent().isBefore(killed))
                .anyMatch(a -> a.sent().isAfter(killed) && a.sent().isBefore(followed))
                .anyMatch(a -> a.sent().isAfter(followed));
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.status()).as("status").isEqualTo(200);
            assertThat(set.platform.issuedAt(answer.token())).as("issued by the platform").isNotNull();
            Instant invalidated = set.platform.invalidatedAt(answer.token());
            assertThat(invalidated == null || invalidated.isAfter(answer.sent()))
                    .as("valid when asked for").isTrue();
        });
        assertThat(set.platform.issuedTo(TestAccounts.clientId(CLIENT))).as("tokens issued").hasSizeLessThanOrEqualTo(2);
    }

    @Test
    @Order(2)
    void aForcedRefreshAfterTheFailoverIsWrittenToThePromotedMasterAndReachesTheOtherReplica() {
        String rejected = set.tokenFrom(set.replica(0), CLIENT);
        int issued = set.platform.issuedTo(TestAccounts.clientId(CLIENT)).size();

        HttpResponse<String> refreshed = set.send(set.refreshRequest(set.replica(0), CLIENT, rejected));

        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        String next = ReplicaSet.token(refreshed.body());
        assertThat(next).isNotEqualTo(rejected);
        assertThat(promoted.call("HGET", RECORD, "token")).isEqualTo(next);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> set.tokenFrom(set.replica(1), CLIENT), next::equals);
        assertThat(set.platform.issuedTo(TestAccounts.clientId(CLIENT))).hasSize(issued + 1);
    }

    /** Replication is asynchronous: the master may die before its replica got the last write. */
    @Test
    @Order(3)
    void aRecordTheOldMasterTookWithItIsWrittenBackWithoutAPlatformCall() {
        String token = set.tokenFrom(set.replica(0), CLIENT);
        int issued = set.platform.issuedTo(TestAccounts.clientId(CLIENT)).size();

        promoted.plant(":1", "DEL", RECORD);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> promoted.call("HGET", RECORD, "token"), token::equals);
        for (BrokerReplica replica : set.replicas) {
            assertThat(set.tokenFrom(replica, CLIENT)).isEqualTo(token);
        }
        assertThat(set.platform.issuedTo(TestAccounts.clientId(CLIENT))).hasSize(issued);
    }

    /**
     * The killed master comes back (the Sentinels make it a replica) and an operator moves the master
     * back to it ({@code SENTINEL FAILOVER}). Unlike a crash, the old master lives on: until the
     * Sentinels demote it, it still takes writes that its demotion then drops, so a record written in
     * that window may reach the new master only as the write-back of the replica that holds it.
     */
    @Test
    @Order(4)
    void aSwitchOverToTheReturnedOldMasterIsFollowedToo() throws Exception {
        RedisServerProcess returned = redis.restartLostServer();
        promoted = redis.switchOver(returned, Duration.ofSeconds(30));
        String rejected = set.tokenFrom(set.replica(1), CLIENT);
        int issued = set.platform.issuedTo(TestAccounts.clientId(CLIENT)).size();

        HttpResponse<String> refreshed = set.send(set.refreshRequest(set.replica(1), CLIENT, rejected));

        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        String next = ReplicaSet.token(refreshed.body());
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> promoted.call("HGET", RECORD, "token"), next::equals);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> set.tokenFrom(set.replica(0), CLIENT), next::equals);
        assertThat(set.platform.issuedTo(TestAccounts.clientId(CLIENT))).hasSize(issued + 1);
    }

    @Test
    @Order(5)
    void noSecretOrTokenReachesAnyReplicasLog() {
        String logs = set.logs();
        TestAccounts.CLIENTS.forEach(client -> assertThat(logs).doesNotContain(TestAccounts.secret(client)));
        set.platform.issuedTokens().forEach(token -> assertThat(logs).doesNotContain(token));
        assertThat(logs).doesNotContain(RedisServerProcess.PASSWORD);
    }

    /** {@value #CALLERS} callers, each asking a replica (in turn) every {@link #CALLER_PERIOD}. */
    private ScheduledExecutorService startCallers(Queue<Answer> answers) {
        ScheduledExecutorService callers = Executors.newScheduledThreadPool(CALLERS);
        Instant limit = Instant.now().plus(LOAD_LIMIT);
        for (int i = 0; i < CALLERS; i++) {
            BrokerReplica replica = set.replica(i);
            callers.scheduleAtFixedRate(() -> {
                if (Instant.now().isAfter(limit)) {
                    callers.shutdown();
                    return;
                }
                Instant sent = Instant.now();
                try {
                    HttpResponse<String> response = set.send(set.tokenRequest(replica, CLIENT));
                    answers.add(new Answer(sent, response.statusCode(), ReplicaSet.token(response.body())));
                } catch (RuntimeException noAnswer) {
                    // A caller stopped by shutdownNow() was interrupted; any other got no answer at all.
                    if (!callers.isShutdown()) {
                        answers.add(new Answer(sent, NO_ANSWER, null));
                    }
                }
            }, 0, CALLER_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        }
        return callers;
    }
}
