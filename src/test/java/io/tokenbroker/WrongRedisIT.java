package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.RedisServerProcess;
import io.tokenbroker.testing.ReplicaSet;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Redis configured wrong, as a new user gets it wrong: nothing listening on the port, or a wrong
 * password. Readiness is DOWN from the first check (not "reachable" until the first token request),
 * the log says where Redis is and what it answered, never the password, and a replica retrying a
 * wrong password leaks no connections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WrongRedisIT {

    private static final Pattern CONNECTED = Pattern.compile("connected_clients:(\\d+)");

    private ReplicaSet set;

    @BeforeAll
    void start() {
        set = new ReplicaSet(0, Map.of());
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    void nothingListeningMakesReadinessDownAndTheLogNamesHostAndPort() {
        int port = RedisServerProcess.freePort();
        BrokerReplica replica = set.startLiveReplica(Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + port));

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> ready = readiness(replica);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("never reached since start").contains("127.0.0.1:" + port);
        });
        assertThat(replica.output()).contains("Redis at redis://127.0.0.1:" + port).contains("onnection refused");
    }

    @Test
    void aWrongPasswordMakesReadinessDownNamesRedisAnswerAndLeaksNoConnections() {
        String wrong = "not-the-password-91c2";
        BrokerReplica replica = set.startLiveReplica(Map.of("quarkus.redis.password", wrong));

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> ready = readiness(replica);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("WRONGPASS");
        });
        int before = connectedClients();
        Awaitility.await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(11)).until(() -> true);
        int after = connectedClients();

        assertThat(after - before).as("connections left open by failed handshakes in 10 s").isLessThanOrEqualTo(1);
        assertThat(replica.output()).contains("Redis at " + set.redis.uri()).contains("WRONGPASS")
                .doesNotContain(wrong).doesNotContain(RedisServerProcess.PASSWORD);
    }

    private HttpResponse<String> readiness(BrokerReplica replica) {
        return set.send(HttpRequest.newBuilder(replica.managementUri("/q/health/ready")).build());
    }

    private int connectedClients() {
        Matcher connected = CONNECTED.matcher(set.redis.call("INFO", "clients"));
        assertThat(connected.find()).isTrue();
        return Integer.parseInt(connected.group(1));
    }
}
