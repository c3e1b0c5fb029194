package io.tokenbroker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.PlatformStandIn.Refusal;
import io.tokenbroker.testing.PlatformStandIn.Verdict;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stand-in's business side enforces what the platform's document says, so the proxy tests can rely on it. */
class PlatformStandInTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private PlatformStandIn platform;

    @BeforeEach
    void start() {
        platform = PlatformStandIn.start().account("app", "secret");
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    @Test
    void answersACallWithTheCurrentTokenAndAFreshRequestId() throws Exception {
        String token = issue();

        HttpResponse<String> answer = business("/openapi/echo/a?x=1", token, "id-1");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"ok\":true").contains("\"path\":\"/openapi/echo/a\"")
                .contains("\"query\":\"x=1\"");
        assertThat(answer.headers().firstValue("Set-Cookie")).isPresent();
        assertThat(answer.headers().firstValue("X-Platform-Trace")).isPresent();
        assertThat(platform.businessCalls()).singleElement().satisfies(call -> {
            assertThat(call.verdict()).isEqualTo(Verdict.ANSWERED);
            assertThat(call.account()).isEqualTo("app");
            assertThat(call.header("access-token")).containsExactly(token);
        });
    }

    @Test
    void refusesARepeatedOrMissingRequestId() throws Exception {
        String token = issue();
        business("/openapi/echo/a", token, "same");

        assertThat(business("/openapi/echo/a", token, "same").statusCode()).isEqualTo(400);
        assertThat(business("/openapi/echo/a", token, null).statusCode()).isEqualTo(400);
        assertThat(platform.requestIdViolations()).isEqualTo(2);
        assertThat(platform.protocolViolations()).isEqualTo(2);
    }

    @Test
    void refusesARevokedTokenInTheChosenStyleAndAcceptsTheNextOne() throws Exception {
        String token = issue();

        platform.revokeAllTokens(Refusal.HTTP_401);
        HttpResponse<String> http401 = business("/openapi/echo/a", token, "r1");
        platform.revokeAllTokens(Refusal.ENVELOPE_401);
        HttpResponse<String> envelope401 = business("/openapi/echo/a", token, "r2");
        platform.revokeAllTokens(Refusal.ENVELOPE_40001);
        HttpResponse<String> envelope40001 = business("/openapi/echo/a", token, "r3");
        String next = issue();

        assertThat(http401.statusCode()).isEqualTo(401);
        assertThat(http401.body()).contains("\"code\":401").contains("\"ok\":false");
        assertThat(envelope401.statusCode()).isEqualTo(200);
        assertThat(envelope401.body()).contains("\"code\":401").contains("\"ok\":false");
        assertThat(envelope40001.statusCode()).isEqualTo(200);
        assertThat(envelope40001.body()).contains("\"code\":40001").contains("\"ok\":false");
        assertThat(business("/openapi/echo/a", next, "r4").statusCode()).isEqualTo(200);
        assertThat(platform.businessCalls()).extracting(PlatformStandIn.BusinessCall::verdict).containsExactly(
                Verdict.TOKEN_REFUSED, Verdict.TOKEN_REFUSED, Verdict.TOKEN_REFUSED, Verdict.ANSWERED);
    }

    @Test
    void refusesEveryTokenOfAnAccountUntilToldToAcceptThem() throws Exception {
        platform.refuseEveryToken("app", Refusal.ENVELOPE_40001);
        assertThat(business("/openapi/echo/a", issue(), "r1").body()).contains("\"code\":40001");

        platform.acceptTokens("app");
        assertThat(business("/openapi/echo/a", platform.currentToken("app"), "r2").statusCode()).isEqualTo(200);
    }

    @Test
    void downloadsFailuresAndSlowAnswers() throws Exception {
        String token = issue();

        HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(platform.baseUrl()
                + "/openapi/download?size=100000")).header("Access-Token", token).header("Request-Id", "d").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<String> fail = business("/openapi/fail", token, "f");
        long start = System.nanoTime();
        HttpResponse<String> slow = business("/openapi/slow?ms=300", token, "s");

        assertThat(download.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(download.body()).isEqualTo(PlatformStandIn.downloadContent(100000));
        assertThat(fail.statusCode()).isEqualTo(500);
        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
    }

    private String issue() throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(platform.baseUrl()
                + PlatformStandIn.PATH + "?clientId=app&secret=secret&userType=2"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        String body = answer.body();
        int start = body.indexOf("\"data\":\"") + 8;
        return body.substring(start, body.indexOf('"', start));
    }

    private HttpResponse<String> business(String target, String token, String requestId)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(platform.baseUrl() + target))
                .header("Access-Token", token).header("X-Nonce", UUID.randomUUID().toString());
        if (requestId != null) {
            request.header("Request-Id", requestId);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
