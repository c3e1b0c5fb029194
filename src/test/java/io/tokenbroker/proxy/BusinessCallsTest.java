package io.tokenbroker.proxy;

import static io.tokenbroker.proxy.BrokerCalls.assertCarriesNoToken;
import static io.tokenbroker.proxy.BrokerCalls.assertProblem;
import static io.tokenbroker.proxy.BrokerCalls.call;
import static io.tokenbroker.proxy.BrokerCalls.data;
import static io.tokenbroker.proxy.BrokerCalls.get;
import static io.tokenbroker.proxy.BrokerCalls.json;
import static io.tokenbroker.proxy.BrokerCalls.nonce;
import static io.tokenbroker.proxy.BrokerCalls.port;
import static io.tokenbroker.proxy.BrokerCalls.randomBody;
import static io.tokenbroker.proxy.BrokerCalls.requestId;
import static io.tokenbroker.proxy.BrokerCalls.text;
import static io.tokenbroker.testing.TestAccounts.PAT_KEY;
import static io.tokenbroker.testing.TestAccounts.clientId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.CapturedLogs;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.PlatformStandIn.BusinessCall;
import io.tokenbroker.testing.PlatformStandIn.Refusal;
import io.tokenbroker.testing.PlatformStandIn.Verdict;
import io.tokenbroker.testing.TestAccounts;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /platform/{client}/{path}}: the broker calls the platform's business APIs on a caller's
 * behalf with the current token and a unique Request-Id, passes requests and answers through
 * unchanged but for credentials, and replaces a refused token once.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class BusinessCallsTest {

    private static final String PROXY = "/platform/" + TestAccounts.PROXY;
    private static final int BODY_SIZE = 200 * 1024;

    @InjectPlatform
    PlatformStandIn platform;

    @jakarta.inject.Inject
    BufferedBodies bodies;

    @Test
    void aGetReachesTheApiBaseUrlWithPathAndQueryUnchanged() {
        String path = "/openapi/echo/items-" + nonce();
        String query = "a=1&b=x%20y&b=z&empty=&enc=%2F%3F%26%3D&plus=a+b&utf=%E4%B8%AD";

        HttpResponse<byte[]> response = get(PROXY + path + "?" + query, PAT_KEY);

        JsonNode data = data(response);
        assertThat(data.path("method").asText()).isEqualTo("GET");
        assertThat(data.path("path").asText()).isEqualTo(path);
        assertThat(data.path("query").asText()).isEqualTo(query);
        assertThat(platform.businessCalls(path)).singleElement().satisfies(call -> {
            assertThat(call.method()).isEqualTo("GET");
            assertThat(call.rawQuery()).isEqualTo(query);
            assertThat(call.verdict()).isEqualTo(Verdict.ANSWERED);
        });
    }

    @Test
    void thePlatformGetsExactlyOneAccessTokenTheCurrentOneAndOneRequestIdWhichTheAnswerCarries() {
        String path = "/openapi/echo/credentials-" + nonce();

        HttpResponse<byte[]> response = get(PROXY + path, PAT_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        BusinessCall call = platform.businessCalls(path).get(0);
        assertThat(call.header("Access-Token")).containsExactly(platform.currentToken(clientId(TestAccounts.PROXY)));
        assertThat(call.header("Request-Id")).hasSize(1);
        assertThat(call.requestId()).isNotBlank();
        assertThat(requestId(response)).isEqualTo(call.requestId());
    }

    @Test
    void everyRequestGetsItsOwnRequestId() {
        String path = "/openapi/echo/ids-" + nonce();
        List<String> answered = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answered.add(requestId(get(PROXY + path, PAT_KEY)));
        }

        List<BusinessCall> calls = platform.businessCalls(path);
        assertThat(calls).hasSize(10).allSatisfy(call -> assertThat(call.verdict()).isEqualTo(Verdict.ANSWERED));
        assertThat(calls.stream().map(BusinessCall::requestId).distinct()).hasSize(10);
        assertThat(answered).containsExactlyElementsOf(calls.stream().map(BusinessCall::requestId).toList());
        assertThat(platform.requestIdViolations()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
    void aRequestBodyArrivesByteForByte(String method) {
        String path = "/openapi/echo/body-" + method.toLowerCase() + "-" + nonce();
        byte[] body = randomBody(BODY_SIZE);

        HttpResponse<byte[]> response = call(method, PROXY + path + "?v=1", PAT_KEY, body,
                "Content-Type", "application/octet-stream");

        JsonNode data = data(response);
        assertThat(data.path("method").asText()).isEqualTo(method);
        assertThat(data.path("bodyLength").asInt()).isEqualTo(BODY_SIZE);
        assertThat(data.path("bodySha256").asText()).isEqualTo(PlatformStandIn.sha256Hex(body));
        BusinessCall call = platform.businessCalls(path).get(0);
        assertThat(call.bodySha256()).isEqualTo(PlatformStandIn.sha256Hex(body));
        assertThat(call.rawQuery()).isEqualTo("v=1");
        assertThat(call.header("Content-Type")).containsExactly("application/octet-stream");
    }

    @Test
    void aHeadIsPassedOnAndAnsweredWithoutABody() {
        String path = "/openapi/echo/head-" + nonce();

        HttpResponse<byte[]> response = call("HEAD", PROXY + path, PAT_KEY, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        BusinessCall call = platform.businessCalls(path).get(0);
        assertThat(call.method()).isEqualTo("HEAD");
        assertThat(requestId(response)).isEqualTo(call.requestId());
    }

    @Test
    void callerCredentialsForwardingAndHopByHopHeadersNeverReachThePlatform() {
        String path = "/openapi/echo/headers-" + nonce();
        List<String> sent = List.of(
                "Authorization: Bearer " + PAT_KEY,
                "Proxy-Authorization: Basic cHJveHk6c2VjcmV0",
                "Cookie: session=caller-cookie-7f3a",
                "Access-Token: caller-forged-token-7f3a",
                "Request-Id: caller-chosen-id-7f3a",
                "Forwarded: for=203.0.113.9;proto=https",
                "X-Forwarded-For: 203.0.113.9",
                "X-Forwarded-Host: evil.example",
                "X-Forwarded-Proto: https",
                "Connection: close, X-Hop-Secret",
                "X-Hop-Secret: hop-7f3a",
                "Keep-Alive: timeout=99",
                "Proxy-Connection: keep-alive",
                "TE: trailers",
                "Trailer: X-Checksum",
                "Upgrade: example/1",
                "X-Custom: kept-7f3a",
                "Accept: application/json");

        RawHttp.Answer answer = RawHttp.send(port(), "GET", PROXY + path, sent, null);

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        BusinessCall call = platform.businessCalls(path).get(0);
        assertThat(call.headers()).doesNotContainKeys("authorization", "proxy-authorization", "cookie", "forwarded",
                "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-hop-secret", "keep-alive",
                "proxy-connection", "te", "trailer", "upgrade");
        assertThat(call.header("Connection")).noneMatch(value -> value.toLowerCase().contains("x-hop-secret"));
        assertThat(call.header("Access-Token")).containsExactly(platform.currentToken(clientId(TestAccounts.PROXY)));
        assertThat(call.header("Request-Id")).singleElement().isNotEqualTo("caller-chosen-id-7f3a");
        assertThat(call.header("X-Custom")).containsExactly("kept-7f3a");
        assertThat(call.header("Accept")).containsExactly("application/json");
        call.headers().values().forEach(values -> assertThat(values)
                .noneMatch(value -> value.contains("7f3a") && !value.equals("kept-7f3a"))
                .noneMatch(value -> value.contains(PAT_KEY)));
        assertThat(answer.header("Request-Id")).isEqualTo(call.requestId());
    }

    @Test
    void theAnswerKeepsThePlatformsHeadersButDropsSetCookieAndNeverCarriesTheToken() {
        String path = "/openapi/echo/answer-" + nonce();

        HttpResponse<byte[]> response = get(PROXY + path, PAT_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Platform-Trace")).isPresent();
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase("Set-Cookie"));
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase("Access-Token"));
        // The echo's body repeats what the platform received; the headers must not.
        assertCarriesNoToken(response.headers().map(), "", platform);
    }

    @Test
    void aRelayedAnswerIsCountedByItsStatusClassOverHttp2AsOverHttp11() {
        String caller = "pat";
        double relayed = BrokerCalls.businessCallsCounted(caller, TestAccounts.PROXY, "2xx");
        double abandoned = BrokerCalls.businessCallsCounted(caller, TestAccounts.PROXY, "abandoned");
        List<HttpResponse<byte[]>> answers = new ArrayList<>();

        answers.add(BrokerCalls.getOverHttp11(PROXY + "/openapi/echo/h1-" + nonce(), PAT_KEY));
        for (int i = 0; i < 3; i++) {
            answers.add(get(PROXY + "/openapi/echo/h2-" + nonce(), PAT_KEY));
        }

        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        assertThat(answers).as("HTTP/2 after the h2c upgrade").anySatisfy(
                answer -> assertThat(answer.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2));
        assertThat(BrokerCalls.businessCallsCounted(caller, TestAccounts.PROXY, "2xx") - relayed)
                .as("calls counted 2xx").isEqualTo(4.0);
        assertThat(BrokerCalls.businessCallsCounted(caller, TestAccounts.PROXY, "abandoned")).isEqualTo(abandoned);
    }

    @Test
    void anHttp2BodyWithoutAnyLengthArrivesWhole() {
        String path = "/openapi/echo/h2-body-" + nonce();
        byte[] body = new byte[150 * 1024];
        new java.util.Random(7).nextBytes(body);

        HttpResponse<byte[]> response = BrokerCalls.postStreamedOverHttp2(PROXY + path, PAT_KEY, body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(platform.businessCalls(path)).filteredOn(call -> call.method().equals("POST")).singleElement()
                .satisfies(call -> {
                    assertThat(call.bodyLength()).isEqualTo(body.length);
                    assertThat(call.bodySha256()).isEqualTo(PlatformStandIn.sha256Hex(body));
                });
    }

    @Test
    void aFiveMebibyteDownloadArrivesWhole() {
        int size = 5 * 1024 * 1024;

        HttpResponse<byte[]> response = get(PROXY + "/openapi/download?size=" + size, PAT_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(response.body()).hasSize(size);
        assertThat(PlatformStandIn.sha256Hex(response.body()))
                .isEqualTo(PlatformStandIn.sha256Hex(PlatformStandIn.downloadContent(size)));
    }

    @ParameterizedTest
    @EnumSource(Refusal.class)
    void aRevokedTokenIsReplacedOnceAndTheRequestSentAgainWithANewRequestId(Refusal style) {
        String client = switch (style) {
            case HTTP_401 -> TestAccounts.PROXY_HTTP_401;
            case ENVELOPE_401 -> TestAccounts.PROXY_ENVELOPE_401;
            case ENVELOPE_40001 -> TestAccounts.PROXY_ENVELOPE_40001;
        };
        String path = "/openapi/echo/revoked-" + nonce();
        assertThat(data(get("/platform/" + client + "/openapi/echo/warm-" + nonce(), PAT_KEY)).isObject()).isTrue();
        String revoked = platform.currentToken(clientId(client));
        int credentialCalls = platform.calls(clientId(client));
        byte[] body = randomBody(BODY_SIZE);
        HttpResponse<byte[]> response;
        List<String> logLines;

        try (CapturedLogs logs = new CapturedLogs()) {
            platform.revokeTokens(style, clientId(client));
            response = call("POST", "/platform/" + client + path, PAT_KEY, body, "Content-Type", "application/octet-stream");
            logLines = logs.lines();
        }

        assertThat(data(response).path("bodySha256").asText()).isEqualTo(PlatformStandIn.sha256Hex(body));
        assertThat(platform.calls(clientId(client))).as("credential calls").isEqualTo(credentialCalls + 1);
        List<BusinessCall> calls = platform.businessCalls(path);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).verdict()).isEqualTo(Verdict.TOKEN_REFUSED);
        assertThat(calls.get(0).accessToken()).isEqualTo(revoked);
        assertThat(calls.get(1).verdict()).isEqualTo(Verdict.ANSWERED);
        assertThat(calls.get(1).accessToken()).isEqualTo(platform.currentToken(clientId(client))).isNotEqualTo(revoked);
        assertThat(calls.get(1).requestId()).isNotEqualTo(calls.get(0).requestId());
        assertThat(calls).allSatisfy(call -> assertThat(call.bodySha256()).isEqualTo(PlatformStandIn.sha256Hex(body)));
        assertThat(requestId(response)).isEqualTo(calls.get(1).requestId());
        assertThat(platform.requestIdViolations()).isZero();
        for (String token : platform.issuedTokens()) {
            assertThat(logLines).noneMatch(line -> line.contains(token));
        }
        assertThat(logLines).noneMatch(line -> line.contains(PAT_KEY));

        String next = "/openapi/echo/next-" + nonce();
        assertThat(data(get("/platform/" + client + next, PAT_KEY)).isObject()).isTrue();
        assertThat(platform.businessCalls(next)).singleElement()
                .satisfies(call -> assertThat(call.accessToken()).isEqualTo(calls.get(1).accessToken()));
        assertThat(platform.calls(clientId(client))).as("credential calls").isEqualTo(credentialCalls + 1);
    }

    @Test
    void twentyCallersAcceptingGzipRecoverFromAGzippedEnvelopeRefusalWithOneNewToken() throws Exception {
        String client = TestAccounts.PROXY_GZIP;
        assertThat(data(get("/platform/" + client + "/openapi/echo/warm-" + nonce(), PAT_KEY)).isObject()).isTrue();
        int credentialCalls = platform.calls(clientId(client));
        String path = "/openapi/echo/gzip-" + nonce();
        List<HttpResponse<byte[]>> answers;

        platform.gzipWhenAsked(true);
        try {
            platform.revokeTokens(Refusal.ENVELOPE_40001, clientId(client));
            java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(20);
            try {
                List<java.util.concurrent.Future<HttpResponse<byte[]>>> sent = new java.util.ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    sent.add(callers.submit(() -> call("GET", "/platform/" + client + path, PAT_KEY, null,
                            "Accept-Encoding", "gzip")));
                }
                answers = new java.util.ArrayList<>();
                for (java.util.concurrent.Future<HttpResponse<byte[]>> answer : sent) {
                    answers.add(answer.get(30, java.util.concurrent.TimeUnit.SECONDS));
                }
            } finally {
                callers.shutdownNow();
            }
        } finally {
            platform.gzipWhenAsked(false);
        }

        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.headers().firstValue("Content-Encoding")).as("the platform's bytes, as sent").hasValue("gzip");
            byte[] plain = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(answer.body())).readAllBytes();
            assertThat(json(plain).path("ok").asBoolean()).as(new String(plain, java.nio.charset.StandardCharsets.UTF_8))
                    .isTrue();
        });
        assertThat(platform.calls(clientId(client))).as("credential calls").isEqualTo(credentialCalls + 1);
        List<BusinessCall> calls = platform.businessCalls(path);
        assertThat(calls.stream().filter(call -> call.verdict() == Verdict.ANSWERED)).hasSize(20);
    }

    @Test
    void aCallerHammeringAPathThePlatformRefusesForABusinessReasonCausesOneRotationAndGetsThePlatformsOwnAnswer() {
        String client = TestAccounts.PROXY_DENIED;
        assertThat(data(get("/platform/" + client + "/openapi/echo/warm-" + nonce(), PAT_KEY)).isObject()).isTrue();
        int credentialCalls = platform.calls(clientId(client));
        String path = "/openapi/denied";
        int sentBefore = platform.businessCalls(path).size();

        List<HttpResponse<byte[]>> answers = IntStream.range(0, 10)
                .mapToObj(i -> call("POST", "/platform/" + client + path + "?n=" + i, PAT_KEY, randomBody(64))).toList();

        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.statusCode()).as(text(answer)).isEqualTo(401);
            assertThat(json(answer.body()).path("message").asText()).isEqualTo("no permission for this API");
            assertCarriesNoToken(answer.headers().map(), text(answer), platform);
        });
        assertThat(platform.calls(clientId(client))).as("one rotation: the next are not due").isEqualTo(credentialCalls + 1);
        assertThat(platform.businessCalls(path).size() - sentBefore).as("the first sent twice, the rest once")
                .isEqualTo(11);
        assertThat(data(get("/platform/" + client + "/openapi/echo/after-" + nonce(), PAT_KEY)).isObject())
                .as("other calls of the client go through with the current token").isTrue();
    }

    @Test
    void aTokenRefusedAgainAfterItsReplacementIsPassedBackWithoutAnotherTry() {
        String client = TestAccounts.PROXY_REFUSED_AGAIN;
        String path = "/openapi/echo/again-" + nonce();
        data(get("/platform/" + client + "/openapi/echo/warm-" + nonce(), PAT_KEY));
        int credentialCalls = platform.calls(clientId(client));
        HttpResponse<byte[]> response;

        platform.refuseEveryToken(clientId(client), Refusal.ENVELOPE_40001);
        try {
            response = call("POST", "/platform/" + client + path, PAT_KEY, randomBody(1024));
        } finally {
            platform.acceptTokens(clientId(client));
        }

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body()).path("code").asInt()).as(text(response)).isEqualTo(40001);
        assertCarriesNoToken(response.headers().map(), text(response), platform);
        List<BusinessCall> calls = platform.businessCalls(path);
        assertThat(calls).hasSize(2).allSatisfy(call -> assertThat(call.verdict()).isEqualTo(Verdict.TOKEN_REFUSED));
        assertThat(calls.get(1).accessToken()).isNotEqualTo(calls.get(0).accessToken());
        assertThat(requestId(response)).isEqualTo(calls.get(1).requestId());
        assertThat(platform.calls(clientId(client))).as("credential calls").isEqualTo(credentialCalls + 1);
    }

    @Test
    void anEnvelopeCodeOutsideTokenRejectedCodesIsPassedBackUntouched() {
        String client = TestAccounts.PROXY_DEFAULT_CODES;
        data(get("/platform/" + client + "/openapi/echo/warm-" + nonce(), PAT_KEY));
        int credentialCalls = platform.calls(clientId(client));
        String path = "/openapi/echo/other-code-" + nonce();

        platform.revokeTokens(Refusal.ENVELOPE_40001, clientId(client));
        HttpResponse<byte[]> response = get("/platform/" + client + path, PAT_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body()).path("code").asInt()).isEqualTo(40001);
        assertThat(platform.businessCalls(path)).hasSize(1);
        assertThat(platform.calls(clientId(client))).isEqualTo(credentialCalls);
    }

    @Test
    void aServerErrorIsPassedBackAndNotRetried() {
        String query = "n=" + nonce();
        int credentialCalls = platform.calls(clientId(TestAccounts.PROXY));

        HttpResponse<byte[]> response = call("POST", PROXY + "/openapi/fail?" + query, PAT_KEY, randomBody(512));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(json(response.body()).path("code").asInt()).isEqualTo(500);
        assertCarriesNoToken(response.headers().map(), text(response), platform);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).doesNotStartWith(BrokerCalls.PROBLEM_JSON);
        assertThat(callsWithQuery("/openapi/fail", query)).hasSize(1);
        assertThat(requestId(response)).isEqualTo(callsWithQuery("/openapi/fail", query).get(0).requestId());
        assertThat(platform.calls(clientId(TestAccounts.PROXY))).isEqualTo(credentialCalls);
    }

    @Test
    void aCallUnansweredWithinTheCallTimeoutIs504AndNotSentAgain() {
        String client = TestAccounts.PROXY_SLOW;
        data(get("/platform/" + client + "/openapi/echo/warm-" + nonce(), PAT_KEY));
        long late = TestAccounts.PROXY_CALL_TIMEOUT.toMillis() + 3000;
        String query = "ms=" + late + "&n=" + nonce();

        long start = System.nanoTime();
        HttpResponse<byte[]> response = get("/platform/" + client + "/openapi/slow?" + query, PAT_KEY);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertProblem(504, "platform-timeout", response, platform);
        assertThat(millis).isBetween(TestAccounts.PROXY_CALL_TIMEOUT.toMillis() - 100, late - 500);
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2))
                .until(() -> callsWithQuery("/openapi/slow", query).size() == 1);
    }

    @Test
    void callsBeyondMaxCallsInFlightAre503WithRetryAfterWithoutReachingThePlatform() {
        String client = TestAccounts.PROXY_BUSY;
        data(get("/platform/" + client + "/openapi/echo/warm-" + nonce(), PAT_KEY));
        String query = "ms=1500&n=" + nonce();
        List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> held = new ArrayList<>();
        for (int i = 0; i < TestAccounts.PROXY_BUSY_LIMIT; i++) {
            held.add(java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> get("/platform/" + client + "/openapi/slow?" + query, PAT_KEY)));
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> callsWithQuery("/openapi/slow", query).size() == TestAccounts.PROXY_BUSY_LIMIT);
        String path = "/openapi/echo/over-" + nonce();

        HttpResponse<byte[]> over = get("/platform/" + client + path, PAT_KEY);

        assertProblem(503, "too-many-calls", over, platform);
        assertThat(over.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isPositive());
        assertThat(platform.businessCalls(path)).isEmpty();
        assertThat(held).allSatisfy(call -> assertThat(call.join().statusCode()).isEqualTo(200));
        assertThat(data(get("/platform/" + client + path, PAT_KEY)).path("path").asText()).isEqualTo(path);
    }

    @Test
    void aCallerHoldingItsShareOfAClientsPlacesLeavesTheRestToOthers() {
        String client = TestAccounts.PROXY_SHARED;
        data(get("/platform/" + client + "/openapi/echo/warm-" + nonce(), PAT_KEY));
        String query = "ms=1500&n=" + nonce();
        List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> held = new ArrayList<>();
        held.add(java.util.concurrent.CompletableFuture.supplyAsync(
                () -> get("/platform/" + client + "/openapi/slow?" + query, TestAccounts.ALICE_KEY)));
        for (int i = 0; i < 2; i++) {
            held.add(java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> get("/platform/" + client + "/openapi/slow?" + query, PAT_KEY)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> callsWithQuery("/openapi/slow", query).size() == 3);
        String path = "/openapi/echo/share-" + nonce();

        HttpResponse<byte[]> third = get("/platform/" + client + path, PAT_KEY);
        HttpResponse<byte[]> other = get("/platform/" + client + path, TestAccounts.ALICE_KEY);

        assertProblem(503, "too-many-calls", third, platform);
        assertThat(text(third)).contains("max-caller-share");
        assertThat(other.statusCode()).as("another caller still has places").isEqualTo(200);
        assertThat(held).allSatisfy(call -> assertThat(call.join().statusCode()).isEqualTo(200));
    }

    @Test
    void aCallerAloneMayUseEveryPlaceOfItsClient() {
        String client = TestAccounts.PROXY_SHARED;
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true); // others idle
        String query = "ms=1000&n=" + nonce();
        List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> get("/platform/" + client + "/openapi/slow?" + query, PAT_KEY)));
        }

        assertThat(calls).allSatisfy(call -> assertThat(call.join().statusCode()).isEqualTo(200));
    }

    @Test
    void everyBodyBufferedIsGivenBackWhenItsCallEnds() {
        String client = TestAccounts.PROXY;
        java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> slow = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> call("POST", "/platform/" + client + "/openapi/slow?ms=1500&n=" + nonce(), PAT_KEY,
                        randomBody(BODY_SIZE)));
        await().atMost(Duration.ofSeconds(5)).until(() -> bodies.held() >= BODY_SIZE);
        assertThat(slow.join().statusCode()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            call("POST", "/platform/" + client + "/openapi/echo/body-" + nonce(), PAT_KEY, randomBody(BODY_SIZE));
        }
        call("POST", "/platform/" + client + "/openapi/fail", PAT_KEY, randomBody(BODY_SIZE));

        await().atMost(Duration.ofSeconds(5)).until(() -> bodies.held() == 0);
    }

    @Test
    void callersThatGoAwayHalfWayThroughTheirBodyGiveTheirPlaceInFlightBack() throws Exception {
        String client = TestAccounts.PROXY_BUSY;
        String path = "/openapi/echo/abandoned-" + nonce();
        for (int i = 0; i < TestAccounts.PROXY_BUSY_LIMIT * 3; i++) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port())) {
                socket.getOutputStream().write(("POST /platform/" + client + path + " HTTP/1.1\r\nHost: x\r\n"
                        + "Authorization: Bearer " + PAT_KEY + "\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: 100000\r\n\r\n" + "x".repeat(1000)).getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
            }
        }

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                get("/platform/" + client + path, PAT_KEY).statusCode()).isEqualTo(200));
        assertThat(platform.businessCalls(path)).as("no half-sent body reached the platform").hasSize(1);
    }

    @Test
    void anUnreachableApiBaseUrlIs502() {
        String client = TestAccounts.PROXY_UNREACHABLE;

        HttpResponse<byte[]> response = get("/platform/" + client + "/openapi/echo/x-" + nonce(), PAT_KEY);

        assertProblem(502, "platform-unreachable", response, platform);
        assertThat(platform.issuedTo(clientId(client))).as("tokens issued: an outage is no refused token").hasSize(1);
    }

    @Test
    void callsWithoutAValidApiKeyAre401AndReachNothing() {
        int before = platform.businessCalls().size();

        HttpResponse<byte[]> none = get(PROXY + "/openapi/echo/x", null);
        HttpResponse<byte[]> wrong = get(PROXY + "/openapi/echo/x", "not-a-key");

        assertProblem(401, "unauthenticated", none, platform);
        assertProblem(401, "unauthenticated", wrong, platform);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(platform.businessCalls()).hasSize(before);
    }

    @Test
    void aClientTheCallerWasNotGrantedIs403() {
        int before = platform.businessCalls().size();

        HttpResponse<byte[]> response = get(PROXY + "/openapi/echo/x", TestAccounts.BOB_KEY);

        assertProblem(403, "client-not-allowed", response, platform);
        assertThat(platform.businessCalls()).hasSize(before);
    }

    @Test
    void aPathOutsideTheCallersPlatformPathsIs403() {
        String allowed = "/openapi/echo/one-" + nonce();
        int before = platform.businessCalls().size();

        for (String target : List.of("/openapi/echo/one/two", "/openapi/echo", "/openapi/download?size=1",
                "/openapi/fail", "/openapi/echox/one")) {
            assertProblem(403, "platform-path-not-allowed", get(PROXY + target, TestAccounts.DAVE_KEY), platform);
        }
        assertThat(platform.businessCalls()).hasSize(before);

        assertThat(data(get(PROXY + allowed, TestAccounts.DAVE_KEY)).path("path").asText()).isEqualTo(allowed);
    }

    @Test
    void aCallerWithoutTokenAccessUsesTheTokenOnlyThroughTheBroker() {
        String key = TestAccounts.ERIN_KEY;
        String token = platform.currentToken(clientId(TestAccounts.PROXY));
        String path = "/openapi/echo/erin-" + nonce();

        HttpResponse<byte[]> read = get("/token?client=" + TestAccounts.PROXY, key);
        HttpResponse<byte[]> refresh = call("POST", "/token/refresh?client=" + TestAccounts.PROXY, key,
                ("{\"rejectedToken\":\"" + token + "\"}").getBytes(), "Content-Type", "application/json");
        HttpResponse<byte[]> business = get(PROXY + path, key);

        assertProblem(403, "token-access-not-allowed", read, platform);
        assertProblem(403, "token-access-not-allowed", refresh, platform);
        assertThat(data(business).path("path").asText()).isEqualTo(path);
    }

    @Test
    void anUnknownClientIs404EvenForACallerWithALimitedGrant() {
        int before = platform.businessCalls().size();

        assertProblem(404, "unknown-client", get("/platform/nobody/openapi/echo/x", PAT_KEY), platform);
        assertProblem(404, "unknown-client", get("/platform/nobody/openapi/echo/x", TestAccounts.BOB_KEY), platform);
        assertThat(platform.businessCalls()).hasSize(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/platform/default/openapi/../auth/credential",
        "/platform/default/openapi/../openapi/echo/x",
        "/platform/default/openapi/%2e%2e/x",
        "/platform/default/openapi/%2E%2E/x",
        "/platform/default/openapi/.%2e/x",
        "/platform/default/openapi/a%2Fb",
        "/platform/default/openapi/a%2fb",
        "/platform/default/openapi/a%5Cb",
        "/platform/default/openapi/a%5cb",
        "/platform/default/openapi//x",
        "/platform/default/openapi/./x",
        "/platform/default/openapi/%2e/x",
        "/platform/default/openapi/echo/x/..",
        "/platform/default//openapi/echo/x"})
    void pathTricksAre400WithoutReachingThePlatform(String target) {
        int business = platform.businessCalls().size();
        int credential = platform.calls(clientId("default"));
        int violations = platform.protocolViolations();

        RawHttp.Answer answer = RawHttp.send(port(), "GET", target, List.of("Authorization: Bearer " + PAT_KEY), null);

        assertProblem(400, "invalid-platform-path", answer, platform);
        assertThat(platform.businessCalls()).hasSize(business);
        assertThat(platform.calls(clientId("default"))).isEqualTo(credential);
        assertThat(platform.protocolViolations()).isEqualTo(violations);
    }

    @Test
    void aBodyOverTheLimitIs413WithoutReachingThePlatform() {
        int before = platform.businessCalls().size();

        RawHttp.Answer answer = RawHttp.sendDeclaredBody(port(), "POST", PROXY + "/openapi/echo/big-" + nonce(),
                List.of("Authorization: Bearer " + PAT_KEY, "Content-Type: application/octet-stream"),
                randomBody(2 * 1024 * 1024));

        assertProblem(413, "body-too-large", answer, platform);
        assertThat(platform.businessCalls()).hasSize(before);
    }

    @Test
    void aChunkedBodyOverTheLimitIs413WithoutReachingThePlatform() {
        int before = platform.businessCalls().size();

        RawHttp.Answer answer = RawHttp.sendChunked(port(), "PUT", PROXY + "/openapi/echo/big-" + nonce(),
                List.of("Authorization: Bearer " + PAT_KEY, "Content-Type: application/octet-stream"),
                randomBody(2 * 1024 * 1024));

        assertProblem(413, "body-too-large", answer, platform);
        assertThat(platform.businessCalls()).hasSize(before);
    }

    @Test
    void aChunkedBodyWithinTheLimitArrivesWhole() {
        String path = "/openapi/echo/chunked-" + nonce();
        byte[] body = randomBody(BODY_SIZE);

        RawHttp.Answer answer = RawHttp.sendChunked(port(), "POST", PROXY + path,
                List.of("Authorization: Bearer " + PAT_KEY, "Content-Type: application/octet-stream"), body);

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(json(answer.body()).path("data").path("bodySha256").asText()).isEqualTo(PlatformStandIn.sha256Hex(body));
        assertThat(platform.businessCalls(path)).singleElement()
                .satisfies(call -> assertThat(call.bodyLength()).isEqualTo(BODY_SIZE));
    }

    private List<BusinessCall> callsWithQuery(String path, String query) {
        return platform.businessCalls(path).stream()
                .filter(call -> call.rawQuery() != null && call.rawQuery().equals(query)).toList();
    }
}
