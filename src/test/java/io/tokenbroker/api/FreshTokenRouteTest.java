package io.tokenbroker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tokenbroker.testing.AnsweredByQuarkusRest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.TestAccounts;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route that answers the usual {@code GET /token} ahead of Quarkus REST gives exactly the answer
 * {@link TokenResource} gives, and leaves every other request to it.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class FreshTokenRouteTest {

    private static final String ALICE = "Bearer " + TestAccounts.ALICE_KEY;

    @TestHTTPResource("/token")
    URI token;

    @BeforeEach
    void tokenInMemory() {
        given().header("Authorization", ALICE).get("/token?client=other").then().statusCode(200);
    }

    @Test
    void answersTheUsualRequestsItself() {
        for (String accept : new String[] {null, "*/*", "application/json", "text/plain"}) {
            Response answer = get("/token?client=other", "Bearer " + TestAccounts.BOB_KEY, accept);
            assertThat(answer.statusCode()).as("Accept: %s", accept).isEqualTo(200);
            assertThat(answer.header(AnsweredByQuarkusRest.HEADER)).as("Accept: %s", accept).isNull();
        }
    }

    @Test
    void givesTheResourcesJsonAnswer() {
        // application/* is negotiated by Quarkus REST; application/json is answered by the route.
        assertSameAnswer(get("/token?client=other", ALICE, "application/json"),
                get("/token?client=other", ALICE, "application/*"));
    }

    @Test
    void givesTheResourcesBareTokenAnswer() {
        assertSameAnswer(get("/token?client=other", ALICE, "text/plain"), get("/token?client=other", ALICE, "text/*"));
    }

    @Test
    void servesTheDefaultClientWhenNoneIsNamed() {
        given().header("Authorization", ALICE).get("/token").then().statusCode(200);

        Response answer = get("/token", ALICE, null);
        assertThat(answer.header(AnsweredByQuarkusRest.HEADER)).isNull();
        assertThat(answer.<String>path("client")).isEqualTo("default");
    }

    @Test
    void leavesErrorsToTheResource() {
        assertAnsweredByResource(get("/token?client=other", null, null), 401);
        assertAnsweredByResource(get("/token?client=other", "Bearer not-a-key", null), 401);
        assertAnsweredByResource(get("/token?client=default", "Bearer " + TestAccounts.BOB_KEY, null), 403);
        assertAnsweredByResource(get("/token?client=nobody", ALICE, null), 404);
        assertAnsweredByResource(get("/token?client=", ALICE, null), 400);
        assertAnsweredByResource(get("/token?client=other", ALICE, "application/xml"), 406);
    }

    @Test
    void answersARequestWithoutAcceptAsJson() throws Exception {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(token + "?client=other"))
                .header("Authorization", ALICE).GET());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json;charset=UTF-8");
        assertThat(answer.headers().firstValue(AnsweredByQuarkusRest.HEADER)).isEmpty();
    }

    @Test
    void countsTheTokensItServes() {
        double before = servedCount("alice", "other");

        Response answer = get("/token?client=other", ALICE, null);

        assertThat(answer.header(AnsweredByQuarkusRest.HEADER)).isNull();
        assertThat(servedCount("alice", "other")).isEqualTo(before + 1);
    }

    @Test
    void leavesRepeatedHeadersToTheResource() throws Exception {
        // Quarkus REST joins repeated values ("Bearer a,Bearer b"), which is no caller's key.
        HttpResponse<String> twoKeys = send(HttpRequest.newBuilder(URI.create(token + "?client=other"))
                .header("Authorization", ALICE).header("Authorization", ALICE).GET());
        assertThat(twoKeys.statusCode()).isEqualTo(401);
        assertThat(twoKeys.headers().firstValue(AnsweredByQuarkusRest.HEADER)).hasValue("quarkus-rest");

        HttpResponse<String> twoAccepts = send(HttpRequest.newBuilder(URI.create(token + "?client=other"))
                .header("Authorization", ALICE).header("Accept", "application/json").header("Accept", "text/plain").GET());
        assertThat(twoAccepts.headers().firstValue(AnsweredByQuarkusRest.HEADER)).hasValue("quarkus-rest");
    }

    @Test
    void anUndecodableQueryIsRefusedBeforeAnyRoute() throws Exception {
        // No HTTP client sends "%zz" (not an escape), so the request is written by hand. Quarkus checks
        // the request line before any route runs, so neither this route nor the resource sees it.
        try (Socket socket = new Socket(token.getHost(), token.getPort())) {
            socket.getOutputStream().write(("GET /token?client=%zz HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + ALICE
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 400 ").doesNotContain("%zz").doesNotContain("accessToken");
        }
    }

    @Test
    void leavesOtherPathsToTheResource() {
        Response answer = get("/token/", ALICE, null);

        assertThat(answer.header(AnsweredByQuarkusRest.HEADER)).isEqualTo("quarkus-rest");
    }

    @Test
    void leavesAGetWithABodyToTheResource() {
        Response answer = given().header("Authorization", ALICE).contentType("application/json").body("{}")
                .get("/token?client=other");
        assertThat(answer.header(AnsweredByQuarkusRest.HEADER)).isNotNull();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        // java.net.http sends no Accept header of its own, and repeats a header added twice.
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double servedCount(String caller, String client) {
        String metrics = ManagementInterface.metrics();
        Matcher served = Pattern.compile("broker_token_requests_total\\{caller=\"" + caller + "\",client=\"" + client
                + "\",outcome=\"served\"[^}]*} (\\S+)").matcher(metrics);
        assertThat(served.find()).as("served counter of %s", client).isTrue();
        return Double.parseDouble(served.group(1));
    }

    private static Response get(String path, String authorization, String accept) {
        var request = given();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (accept != null) {
            request.accept(accept);
        }
        return request.get(path);
    }

    private static void assertSameAnswer(Response route, Response resource) {
        assertThat(route.header(AnsweredByQuarkusRest.HEADER)).isNull();
        assertThat(resource.header(AnsweredByQuarkusRest.HEADER)).isNotNull();
        assertThat(route.statusCode()).isEqualTo(resource.statusCode()).isEqualTo(200);
        assertThat(route.contentType()).isEqualTo(resource.contentType());
        assertThat(headerNames(route)).isEqualTo(headerNames(resource));
        assertThat(route.header("Cache-Control")).startsWith("private, max-age=");
        // expiresIn and max-age count down in whole seconds, so the two answers may be a second apart.
        assertThat(withoutSeconds(route.asString())).isEqualTo(withoutSeconds(resource.asString()));
        assertThat(withoutSeconds(route.header("Cache-Control"))).isEqualTo(withoutSeconds(resource.header("Cache-Control")));
    }

    /** The header names of an answer, in lower case, without the test's mark. */
    private static Set<String> headerNames(Response answer) {
        return answer.headers().asList().stream().map(header -> header.getName().toLowerCase(Locale.ROOT))
                .filter(name -> !name.equals(AnsweredByQuarkusRest.HEADER.toLowerCase(Locale.ROOT)))
                .collect(Collectors.toSet());
    }

    private static String withoutSeconds(String answer) {
        return answer.replaceAll("\"expiresIn\":\\d+", "\"expiresIn\":N").replaceAll("max-age=\\d+", "max-age=N");
    }

    private static void assertAnsweredByResource(Response answer, int status) {
        assertThat(answer.statusCode()).isEqualTo(status);
        assertThat(answer.contentType()).isEqualTo(ProblemDetail.MEDIA_TYPE);
        assertThat(answer.header(AnsweredByQuarkusRest.HEADER)).isEqualTo("quarkus-rest");
    }
}
