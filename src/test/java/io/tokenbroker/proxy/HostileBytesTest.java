package io.tokenbroker.proxy;

import static io.tokenbroker.proxy.BrokerCalls.nonce;
import static io.tokenbroker.proxy.BrokerCalls.port;
import static io.tokenbroker.testing.TestAccounts.PAT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.CapturedLogs;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bytes a caller can send over HTTP/2 that an HTTP/1.1 request to the platform must never carry: CR,
 * LF, NUL and other control characters in header values, and raw control characters or bytes outside
 * ASCII in the query. Each is refused with 400 at once, before the platform is called, and no log line
 * carries the caller's bytes. Values are sent in HTTP/2 frames written by hand ({@link RawHttp2}): HTTP
 * clients refuse to send most of them.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileBytesTest {

    private static final String PROXY = "/platform/" + TestAccounts.PROXY;

    @InjectPlatform
    PlatformStandIn platform;

    private Vertx vertx;
    private HttpClient h2c;

    /** HTTP/2 with prior knowledge, as gRPC-style and Go clients speak it; the client sends values as given. */
    @BeforeAll
    void client() {
        vertx = Vertx.vertx();
        h2c = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1"));
    }

    @AfterAll
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\n Transfer-Encoding: chunked", "a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u0000b",
            "a\u0001b", "a\u007fb", "a\u001bb"})
    void aHeaderValueWithAControlCharacterIs400AndNeverReachesThePlatform(String value) throws Exception {
        String path = "/openapi/echo/hostile-" + nonce();
        Answer answer;
        List<String> lines;
        try (CapturedLogs logs = new CapturedLogs()) {
            answer = rawHttp2(PROXY + path, value);
            lines = logs.lines();
        }

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.body()).contains("invalid-header").doesNotContain(value);
        assertThat(platform.businessCalls(path)).isEmpty();
        assertThat(lines).noneMatch(line -> line.contains(value));
        assertThat(overHttp2(PROXY + "/openapi/echo/after-" + nonce(), "X-Probe", "tab\tallowed").status())
                .as("the broker stays healthy, and HTAB is allowed").isEqualTo(200);
    }

    @Test
    void aQueryWithARawByteOutsideAsciiOrAControlCharacterIs400AndItsEncodedFormPasses() throws Exception {
        String path = "/openapi/echo/query-" + nonce();

        assertThat(RawHttp.send(port(), "GET", PROXY + path + "?q=\u00ff", List.of("Authorization: Bearer " + PAT_KEY),
                null).status()).isEqualTo(400);
        assertThat(overHttp2(PROXY + path + "?q=a\u0001b", null, null).status()).isEqualTo(400);
        assertThat(overHttp2(PROXY + path + "?q=a\u007fb", null, null).status()).isEqualTo(400);
        assertThat(overHttp2(PROXY + path + "?q=a b", null, null).status()).isEqualTo(400);
        assertThat(platform.businessCalls(path)).isEmpty();

        assertThat(overHttp2(PROXY + path + "?q=%FF%01%7F%20", null, null).status()).isEqualTo(200);
        assertThat(platform.businessCalls(path)).singleElement()
                .satisfies(call -> assertThat(call.rawQuery()).isEqualTo("q=%FF%01%7F%20"));
    }

    private record Answer(int status, String body) {
    }

    /** Over frames written by hand: the value reaches the broker exactly as given. */
    private static Answer rawHttp2(String target, String probe) throws Exception {
        RawHttp2.Answer answer = RawHttp2.get(port(), target, java.util.Map.of("authorization", "Bearer " + PAT_KEY,
                "x-probe", probe));
        return new Answer(answer.status(), answer.body());
    }

    private Answer overHttp2(String target, String header, String value) throws Exception {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setPort(port()).setURI(target)
                .putHeader("Authorization", "Bearer " + PAT_KEY);
        if (header != null) {
            options.putHeader(header, value);
        }
        return h2c.request(options)
                .compose(request -> request.send().compose(response -> {
                    assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
                    return response.body().map(body -> new Answer(response.statusCode(), body.toString()));
                }))
                .toCompletionStage().toCompletableFuture().get(Duration.ofSeconds(10).toSeconds(), TimeUnit.SECONDS);
    }
}
