package io.tokenbroker.tracing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.PlatformStandIn.BusinessCall;
import io.tokenbroker.testing.PlatformStandIn.Failure;
import io.tokenbroker.testing.PlatformStandIn.Refusal;
import io.tokenbroker.testing.TestAccounts;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With an OTLP endpoint configured, the broker traces acquisitions (lock, platform call, store write)
 * and business calls (Quarkus traces no request), into an in-memory exporter: the spans, their parents, the {@code traceparent} the
 * platform receives, trace ids in log lines, and never a secret, a token, an API key or a credential
 * URL in any span, whatever produced it.
 */
@QuarkusTest
@TestProfile(TracesTest.WithEndpoint.class)
@WithTestResource(BrokerTestResources.class)
class TracesTest {

    /** Only an endpoint: the switch turns the SDK on; the in-memory exporter replaces OTLP's. */
    public static class WithEndpoint implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:4317",
                    "quarkus.otel.bsp.schedule.delay", "20ms");
        }
    }

    private static final String ALICE = "Bearer " + TestAccounts.ALICE_KEY;
    private static final String CREDENTIAL_CALL = "POST /openapi/auth/credential";
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    @InjectPlatform
    PlatformStandIn platform;

    @Inject
    InMemorySpanExporter exported;

    @AfterEach
    void nothingSecretInAnySpan() {
        List<String> secrets = new ArrayList<>(platform.issuedTokens());
        TestAccounts.CLIENTS.forEach(client -> secrets.add(TestAccounts.secret(client)));
        secrets.addAll(List.of(TestAccounts.ALICE_KEY, TestAccounts.BOB_KEY, TestAccounts.PAT_KEY, "secret="));
        assertThat(exported.getFinishedSpanItems()).isNotEmpty().allSatisfy(span -> {
            assertThat(span.getName()).doesNotContain(secrets);
            assertThat(span.getAttributes().asMap().values())
                    .allSatisfy(value -> assertThat(String.valueOf(value)).doesNotContain(secrets));
        });
    }

    @Test
    void anAcquisitionIsOneTraceOfTheLockThePlatformCallAndTheStoreWrite() {
        given().header("Authorization", ALICE).get("/token?client=cold").then().statusCode(200);

        SpanData acquisition = awaitSpan(named("token acquisition").and(client("cold")));
        List<SpanData> trace = inTrace(acquisition.getTraceId());
        assertThat(trace).extracting(SpanData::getName)
                .contains("token lock", CREDENTIAL_CALL, "token store write");
        assertThat(trace).filteredOn(span -> span != acquisition)
                .allSatisfy(span -> assertThat(span.getParentSpanId()).isEqualTo(acquisition.getSpanId()));
        SpanData call = trace.stream().filter(named(CREDENTIAL_CALL)).findFirst().orElseThrow();
        assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(call.getAttributes().get(AttributeKey.stringKey("server.address")))
                .isEqualTo(java.net.URI.create(platform.baseUrl()).getHost());
        assertThat(call.getAttributes().get(URL_PATH)).isEqualTo(PlatformStandIn.PATH);
        assertThat(call.getAttributes().get(STATUS)).isEqualTo(200L);
        assertThat(call.getAttributes().get(AttributeKey.stringKey("url.full"))).isNull();
    }

    @Test
    void theCredentialRequestIsNeverTracedByQuarkusWithItsUrl() {
        given().header("Authorization", ALICE).get("/token?client=other").then().statusCode(200);

        SpanData acquisition = awaitSpan(named("token acquisition").and(client("other")));
        assertThat(inTrace(acquisition.getTraceId())).filteredOn(named(CREDENTIAL_CALL)).hasSize(1);
        assertThat(exported.getFinishedSpanItems())
                .noneSatisfy(span -> assertThat(span.getAttributes().asMap().keySet())
                        .extracting(AttributeKey::getKey).contains("url.full"));
    }

    @Test
    void eachAttemptOfARetriedCredentialCallIsASpanOfItsOwn() {
        platform.failNext(TestAccounts.clientId("flaky-503"), Failure.HTTP_503);

        given().header("Authorization", ALICE).get("/token?client=flaky-503").then().statusCode(200);

        SpanData acquisition = awaitSpan(named("token acquisition").and(client("flaky-503")));
        List<SpanData> attempts = inTrace(acquisition.getTraceId()).stream().filter(named(CREDENTIAL_CALL)).toList();
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).getAttributes().get(STATUS)).isEqualTo(503L);
        assertThat(attempts.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attempts.get(1).getAttributes().get(STATUS)).isEqualTo(200L);
        assertThat(attempts.get(1).getAttributes().get(AttributeKey.longKey("http.request.resend_count")))
                .isEqualTo(1L);
    }

    @Test
    void aBusinessCallIsAClientSpanInTheCallersTraceAndThePlatformSeesIt() {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String path = "/openapi/echo/traced-" + traceId.substring(0, 8);

        given().header("Authorization", "Bearer " + TestAccounts.PAT_KEY)
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .get("/platform/" + TestAccounts.PROXY + path + "?q=caller-data").then().statusCode(200);

        SpanData call = awaitSpan(named("business call GET").and(span -> span.getTraceId().equals(traceId)));
        assertThat(call.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(call.getAttributes().get(Spans.CLIENT)).isEqualTo(TestAccounts.PROXY);
        assertThat(call.getAttributes().get(URL_PATH)).isEqualTo(path);
        assertThat(call.getAttributes().get(STATUS)).isEqualTo(200L);
        assertThat(call.getAttributes().get(Spans.RETRIED)).isFalse();
        assertThat(call.getAttributes().asMap().values()).noneMatch(value -> value.toString().contains("caller-data"));
        BusinessCall received = platform.businessCalls(path).get(0);
        assertThat(received.header("traceparent")).containsExactly("00-" + traceId + "-" + call.getSpanId() + "-01");
    }

    @Test
    void aCallSentAgainWithANewTokenIsOneSpanMarkedRetried() {
        String client = TestAccounts.PROXY_HTTP_401;
        String path = "/openapi/echo/traced-retry-" + UUID.randomUUID().toString().substring(0, 8);
        given().header("Authorization", "Bearer " + TestAccounts.PAT_KEY)
                .get("/platform/" + client + "/openapi/echo/warm").then().statusCode(200);
        platform.revokeTokens(Refusal.HTTP_401, TestAccounts.clientId(client));

        given().header("Authorization", "Bearer " + TestAccounts.PAT_KEY)
                .get("/platform/" + client + path).then().statusCode(200);

        SpanData call = awaitSpan(named("business call GET").and(span -> path.equals(span.getAttributes().get(URL_PATH))));
        assertThat(call.getAttributes().get(Spans.RETRIED)).isTrue();
        assertThat(platform.businessCalls(path)).hasSize(2).allSatisfy(sent -> assertThat(sent.header("traceparent"))
                .singleElement().asString().contains(call.getTraceId() + "-" + call.getSpanId()));
    }

    @Test
    void requestsMakeNoSpansOfTheirOwnAndARefreshIsTracedAsAForcedAcquisition() {
        String token = given().header("Authorization", ALICE).get("/token?client=refresh-c").then().statusCode(200)
                .extract().path("accessToken");
        given().header("Authorization", ALICE).get("/token?client=refresh-c").then().statusCode(200);
        given().header("Authorization", ALICE).get("/token").then().statusCode(200);

        given().header("Authorization", ALICE).contentType(ContentType.JSON).body("{\"rejectedToken\":\"" + token + "\"}")
                .post("/token/refresh?client=refresh-c").then().statusCode(200);

        awaitSpan(named("token acquisition").and(client("refresh-c"))
                .and(span -> Boolean.TRUE.equals(span.getAttributes().get(Spans.FORCED))));
        assertThat(exported.getFinishedSpanItems()).noneMatch(span -> span.getKind() == SpanKind.SERVER);
    }

    @Test
    void logLinesWrittenDuringAnAcquisitionCarryItsTraceId() {
        List<String[]> lines = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record instanceof ExtLogRecord ext && ext.getFormattedMessage().startsWith("Client healthy: stored")) {
                    lines.add(new String[] {ext.getMdc("traceId"), ext.getMdc("spanId")});
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(handler);
        try {
            given().header("Authorization", ALICE).get("/token?client=healthy").then().statusCode(200);
        } finally {
            Logger.getLogger("").removeHandler(handler);
        }

        SpanData acquisition = awaitSpan(named("token acquisition").and(client("healthy")));
        assertThat(lines).singleElement().satisfies(ids -> {
            assertThat(ids[0]).isEqualTo(acquisition.getTraceId());
            assertThat(ids[1]).isEqualTo(acquisition.getSpanId());
        });
    }

    private SpanData awaitSpan(Predicate<SpanData> wanted) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> exported.getFinishedSpanItems().stream().filter(wanted).findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow();
    }

    private List<SpanData> inTrace(String traceId) {
        return exported.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId)).toList();
    }

    private static Predicate<SpanData> named(String name) {
        return span -> span.getName().equals(name);
    }

    private static Predicate<SpanData> client(String client) {
        return span -> client.equals(span.getAttributes().get(Spans.CLIENT));
    }
}
