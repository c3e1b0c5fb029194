package io.tokenbroker.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.PlatformStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Business calls to the broker under test, as a caller sends them, and what the answers must look like. */
final class BrokerCalls {

    static final String PROBLEM_JSON = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Prefers HTTP/2: asks for an upgrade ({@code h2c}) on a connection's first request. */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final HttpClient HTTP_1_1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private BrokerCalls() {
    }

    /** A fresh path segment, so each test finds its own calls among those the platform received. */
    static String nonce() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** The port the broker under test listens on. */
    static int port() {
        return RestAssured.port;
    }

    /** {@code method target} with {@code Authorization: Bearer key} (none if {@code null}), a body if not {@code null}, and these header pairs. */
    static HttpResponse<byte[]> call(String method, String target, String key, byte[] body, String... headers) {
        return call(HTTP, method, target, key, body, headers);
    }

    /**
     * {@code POST target} over HTTP/2 (after a GET that upgrades the connection) with a body of unknown
     * length: sent as DATA frames, with neither {@code Content-Length} nor {@code Transfer-Encoding}.
     */
    static HttpResponse<byte[]> postStreamedOverHttp2(String target, String key, byte[] body) {
        call(HTTP, "GET", target, key, null);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + target))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build();
        return send(HTTP, request);
    }

    /** {@code GET target} over HTTP/1.1 only. */
    static HttpResponse<byte[]> getOverHttp11(String target, String key) {
        return call(HTTP_1_1, "GET", target, key, null);
    }

    private static HttpResponse<byte[]> call(HttpClient http, String method, String target, String key, byte[] body,
            String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + target))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(http, request.build());
    }

    private static HttpResponse<byte[]> send(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<byte[]> get(String target, String key) {
        return call("GET", target, key, null);
    }

    static JsonNode json(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(body, StandardCharsets.UTF_8), e);
        }
    }

    /** The {@code data} of a successful platform envelope answered with HTTP 200. */
    static JsonNode data(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).as("status; body %s", text(response)).isEqualTo(200);
        JsonNode envelope = json(response.body());
        assertThat(envelope.path("ok").asBoolean()).as("envelope ok: %s", envelope).isTrue();
        return envelope.path("data");
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** The single {@code Request-Id} of the answer. */
    static String requestId(HttpResponse<byte[]> response) {
        List<String> ids = response.headers().allValues("Request-Id");
        assertThat(ids).as("Request-Id headers of the answer").hasSize(1);
        return ids.get(0);
    }

    /** Asserts a broker error: status, problem JSON of this type, and not a trace of any token. */
    static void assertProblem(int status, String type, int actualStatus, Map<String, List<String>> headers,
            byte[] body, PlatformStandIn platform) {
        String text = new String(body, StandardCharsets.UTF_8);
        assertThat(actualStatus).as("status; body %s", text).isEqualTo(status);
        assertThat(headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("Content-Type"))
                .flatMap(h -> h.getValue().stream()).findFirst().orElse(""))
                .as("content type").startsWith(PROBLEM_JSON);
        JsonNode problem = json(body);
        assertThat(problem.path("type").asText()).isEqualTo("urn:token-broker:problem:" + type);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertCarriesNoToken(headers, text, platform);
    }

    static void assertProblem(int status, String type, HttpResponse<byte[]> response, PlatformStandIn platform) {
        assertProblem(status, type, response.statusCode(), response.headers().map(), response.body(), platform);
    }

    static void assertProblem(int status, String type, RawHttp.Answer answer, PlatformStandIn platform) {
        assertProblem(status, type, answer.status(), answer.headers(), answer.body(), platform);
    }

    /** Neither a header nor {@code body} holds a token the platform ever issued. */
    static void assertCarriesNoToken(Map<String, List<String>> headers, String body, PlatformStandIn platform) {
        List<String> values = new ArrayList<>();
        headers.values().forEach(values::addAll);
        for (String token : platform.issuedTokens()) {
            assertThat(values).as("answer headers").noneMatch(value -> value.contains(token));
            assertThat(body).as("answer body").doesNotContain(token);
        }
    }

    /** The value of counter {@code broker_business_calls_total} with these tags, 0 if absent. */
    static double businessCallsCounted(String caller, String client, String outcome) {
        String metrics = ManagementInterface.metrics();
        java.util.regex.Matcher value = java.util.regex.Pattern.compile("(?m)^broker_business_calls_total\\{caller=\""
                + caller + "\",client=\"" + client + "\",outcome=\"" + outcome + "\"} (\\S+)$").matcher(metrics);
        return value.find() ? Double.parseDouble(value.group(1)) : 0;
    }

    /** Random bytes, every value included, so no text handling leaves them intact by chance. */
    static byte[] randomBody(int size) {
        byte[] body = new byte[size];
        new java.util.Random(size * 31L + System.nanoTime()).nextBytes(body);
        return body;
    }
}
