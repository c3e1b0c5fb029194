package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.PlatformStandIn.BusinessCall;
import io.tokenbroker.testing.PlatformStandIn.Refusal;
import io.tokenbroker.testing.PlatformStandIn.Verdict;
import io.tokenbroker.testing.RedisServerProcess;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Business calls through three packaged replicas sharing one Redis: every request sent to the platform
 * has its own Request-Id, and a token the platform revoked is replaced by one platform call however
 * many calls on however many replicas it refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BusinessCallsIT {

    private static final String CLIENT = "default";
    private static final String CLIENT_ID = TestAccounts.clientId(CLIENT);
    /** Short, so each revocation may force a refresh; waited out between revocations. */
    private static final Duration MIN_FORCED_REFRESH_INTERVAL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReplicaSet set;
    private Instant lastReplacement = Instant.EPOCH;

    /** One call as sent: where, through which replica, with which body, and the answer. */
    private record Sent(String path, byte[] body, HttpResponse<String> answer) {
    }

    @BeforeAll
    void startThreeReplicas() {
        set = new ReplicaSet(3, Map.of(
                "broker.token.min-forced-refresh-interval", MIN_FORCED_REFRESH_INTERVAL.toMillis() + "ms",
                // the shared 500 ms is for failure scenarios; here a slow first answer must not be retried
                "broker.platform.timeout", "5s"));
    }

    @AfterAll
    void stopEverything() {
        set.close();
    }

    @Test
    @Order(1)
    void concurrentCallsOnEveryReplicaEachGetTheirOwnRequestIdAndShareOneToken() {
        List<Sent> sent = sendAll(150, "load", i -> null);

        assertThat(sent).allSatisfy(s -> assertAnswered(s));
        List<BusinessCall> calls = set.platform.businessCalls("/openapi/echo/load-");
        assertThat(calls).hasSize(150).allSatisfy(call -> assertThat(call.verdict()).isEqualTo(Verdict.ANSWERED));
        Set<String> ids = calls.stream().map(BusinessCall::requestId).collect(Collectors.toSet());
        assertThat(ids).hasSize(150);
        assertThat(sent.stream().map(s -> requestId(s.answer())).collect(Collectors.toSet())).isEqualTo(ids);
        assertThat(calls.stream().map(BusinessCall::accessToken).distinct()).hasSize(1);
        assertThat(set.platform.calls(CLIENT_ID)).as("credential calls").isEqualTo(1);
        assertThat(set.platform.protocolViolations()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Refusal.class)
    @Order(2)
    void afterTheTokensAreRevokedConcurrentCallsOnEveryReplicaSucceedWithOneNewToken(Refusal style) {
        waitOutTheForcedRefreshInterval();
        Random random = new Random(style.ordinal());
        List<String> issuedBefore = set.platform.issuedTo(CLIENT_ID);
        String revoked = issuedBefore.get(issuedBefore.size() - 1);
        String prefix = "revoked-" + style.name().toLowerCase().replace('_', '-');

        set.platform.revokeAllTokens(style);
        List<Sent> sent = sendAll(30, prefix, i -> i % 2 == 0 ? null : bytes(random, 16 * 1024 + i));
        lastReplacement = Instant.now();

        assertThat(sent).allSatisfy(s -> assertAnswered(s));
        List<String> issued = set.platform.issuedTo(CLIENT_ID);
        assertThat(issued).as("tokens issued for the revocation").hasSize(issuedBefore.size() + 1);
        assertThat(set.platform.calls(CLIENT_ID)).as("credential calls").isEqualTo(issued.size());
        String replacement = issued.get(issued.size() - 1);
        for (Sent s : sent) {
            List<BusinessCall> calls = set.platform.businessCalls(s.path());
            assertThat(calls).as("platform calls of %s", s.path()).hasSizeBetween(1, 2);
            BusinessCall last = calls.get(calls.size() - 1);
            assertThat(last.verdict()).isEqualTo(Verdict.ANSWERED);
            assertThat(last.accessToken()).isEqualTo(replacement);
            assertThat(requestId(s.answer())).isEqualTo(last.requestId());
            if (calls.size() == 2) {
                assertThat(calls.get(0).verdict()).isEqualTo(Verdict.TOKEN_REFUSED);
                assertThat(calls.get(0).accessToken()).isEqualTo(revoked);
                assertThat(calls.get(0).requestId()).isNotEqualTo(last.requestId());
            }
        }
        assertThat(sent.stream().filter(s -> set.platform.businessCalls(s.path()).size() == 2))
                .as("calls refused and sent again").isNotEmpty();
        assertThat(set.platform.requestIdViolations()).isZero();
    }

    @Test
    @Order(3)
    void noSecretTokenOrApiKeyReachesAnyReplicasLog() {
        String logs = set.logs();
        assertThat(set.platform.issuedTokens()).hasSizeGreaterThanOrEqualTo(4);
        TestAccounts.CLIENTS.forEach(client -> assertThat(logs).doesNotContain(TestAccounts.secret(client)));
        set.platform.issuedTokens().forEach(token -> assertThat(logs).doesNotContain(token));
        assertThat(logs).doesNotContain(TestAccounts.ALICE_KEY).doesNotContain(TestAccounts.PAT_KEY)
                .doesNotContain(RedisServerProcess.PASSWORD);
    }

    /** Sends {@code count} echo calls at once, spread over the replicas; a body makes a call a POST. */
    private List<Sent> sendAll(int count, String prefix, java.util.function.IntFunction<byte[]> bodies) {
        List<String> paths = new ArrayList<>();
        List<byte[]> sentBodies = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String path = "/openapi/echo/" + prefix + "-" + i + "-x";
            byte[] body = bodies.apply(i);
            paths.add(path);
            sentBodies.add(body);
            answers.add(set.http().sendAsync(request(set.replica(i), path, body), HttpResponse.BodyHandlers.ofString()));
        }
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(new Sent(paths.get(i), sentBodies.get(i), answers.get(i).join()));
        }
        return sent;
    }

    private static HttpRequest request(BrokerReplica replica, String path, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(replica.uri("/platform/" + CLIENT + path + "?q=" + path.length()))
                .header("Authorization", "Bearer " + TestAccounts.PAT_KEY)
                .timeout(Duration.ofSeconds(30));
        if (body == null) {
            return request.GET().build();
        }
        return request.header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static void assertAnswered(Sent sent) {
        assertThat(sent.answer().statusCode()).as("%s: %s", sent.path(), sent.answer().body()).isEqualTo(200);
        JsonNode envelope = json(sent.answer().body());
        assertThat(envelope.path("ok").asBoolean()).as(sent.answer().body()).isTrue();
        JsonNode data = envelope.path("data");
        assertThat(data.path("path").asText()).isEqualTo(sent.path());
        assertThat(data.path("method").asText()).isEqualTo(sent.body() == null ? "GET" : "POST");
        byte[] body = sent.body() == null ? new byte[0] : sent.body();
        assertThat(data.path("bodyLength").asInt()).isEqualTo(body.length);
        assertThat(data.path("bodySha256").asText()).isEqualTo(PlatformStandIn.sha256Hex(body));
    }

    private static String requestId(HttpResponse<String> answer) {
        List<String> ids = answer.headers().allValues("Request-Id");
        assertThat(ids).as("Request-Id of the answer").hasSize(1);
        return ids.get(0);
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A second forced refresh within the interval is refused on purpose (503): let the interval pass. */
    private void waitOutTheForcedRefreshInterval() {
        Duration left = Duration.between(Instant.now(), lastReplacement.plus(MIN_FORCED_REFRESH_INTERVAL).plusMillis(500));
        if (!left.isNegative()) {
            try {
                Thread.sleep(left.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
