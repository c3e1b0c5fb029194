package io.tokenbroker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class TokenRefreshResourceTest {

    private static final String ALICE = "Bearer " + TestAccounts.ALICE_KEY;

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void aRejectedCurrentTokenIsReplacedOnce() {
        String old = token("refresh-a");
        int calls = platform.calls(TestAccounts.clientId("refresh-a"));

        String fresh = refresh("refresh-a", old).then().statusCode(200)
                .contentType("application/json")
                .body("client", equalTo("refresh-a"))
                .extract().path("accessToken");

        assertThat(fresh).isNotEqualTo(old);
        assertThat(platform.isValid(fresh)).isTrue();
        assertThat(platform.calls(TestAccounts.clientId("refresh-a"))).isEqualTo(calls + 1);
        assertThat(token("refresh-a")).isEqualTo(fresh);
    }

    @Test
    void anAlreadyReplacedTokenGetsTheCurrentOneWithoutAPlatformCall() {
        String old = token("refresh-b");
        String current = refresh("refresh-b", old).then().statusCode(200).extract().path("accessToken");
        int calls = platform.calls(TestAccounts.clientId("refresh-b"));

        refresh("refresh-b", old).then().statusCode(200).body("accessToken", equalTo(current));
        refresh("refresh-b", "never-issued").then().statusCode(200).body("accessToken", equalTo(current));

        assertThat(platform.calls(TestAccounts.clientId("refresh-b"))).isEqualTo(calls);
    }

    @Test
    void aStormOfReportsCausesOnePlatformCall() {
        String old = token("refresh-c");
        int calls = platform.calls(TestAccounts.clientId("refresh-c"));

        List<CompletableFuture<String>> reports = IntStream.range(0, 100)
                .mapToObj(i -> CompletableFuture.supplyAsync(() ->
                        refresh("refresh-c", old).then().statusCode(200).extract().<String>path("accessToken")))
                .toList();
        Set<String> tokens = reports.stream().map(CompletableFuture::join).collect(Collectors.toSet());

        assertThat(tokens).hasSize(1).doesNotContain(old);
        assertThat(platform.calls(TestAccounts.clientId("refresh-c"))).isEqualTo(calls + 1);
    }

    @Test
    void forcedRefreshesOfAClientAreAtLeastTheMinimumIntervalApart() {
        String first = token("refresh-d");
        String second = refresh("refresh-d", first).then().statusCode(200).extract().path("accessToken");
        int calls = platform.calls(TestAccounts.clientId("refresh-d"));

        refresh("refresh-d", second).then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", not(emptyOrNullString()));

        assertThat(platform.calls(TestAccounts.clientId("refresh-d"))).isEqualTo(calls);
        assertThat(ManagementInterface.metrics()).as("counted under the client it concerned")
                .containsPattern("broker_token_requests_total\\{caller=\"alice\",client=\"refresh-d\",outcome=\"429\"} 1.0");
    }

    @Test
    void malformedBodiesAre400() {
        for (String body : new String[] {"", "{}", "{\"rejectedToken\":\"\"}", "{\"rejectedToken\":null}",
            "{\"rejectedToken\":", "[1,2]", "{\"rejectedToken\":{\"nested\":1}}", "\"just a string\""}) {
            io.restassured.response.Response response = given().header("Authorization", ALICE)
                    .contentType(ContentType.JSON).body(body)
                    .when().post("/token/refresh?client=refresh-b");
            assertThat(response.statusCode()).as("status for body %s", body).isEqualTo(400);
            assertThat(response.contentType()).as("content type for body %s", body)
                    .isEqualTo("application/problem+json");
        }
    }

    @Test
    void aBodyThatIsNotJsonIsRefused() {
        given().header("Authorization", ALICE).contentType(ContentType.TEXT).body("token")
                .when().post("/token/refresh")
                .then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void reportsNeedAnAuthenticatedCaller() {
        given().contentType(ContentType.JSON).body("{\"rejectedToken\":\"x\"}")
                .when().post("/token/refresh")
                .then().statusCode(401).header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"));
        given().header("Authorization", "Bearer " + TestAccounts.BOB_KEY)
                .contentType(ContentType.JSON).body("{\"rejectedToken\":\"x\"}")
                .when().post("/token/refresh?client=default")
                .then().statusCode(403);
    }

    private static String token(String client) {
        return given().header("Authorization", ALICE).get("/token?client=" + client)
                .then().statusCode(200).extract().path("accessToken");
    }

    private static io.restassured.response.Response refresh(String client, String rejected) {
        return given().header("Authorization", ALICE).contentType(ContentType.JSON)
                .body("{\"rejectedToken\":\"" + rejected + "\"}")
                .when().post("/token/refresh?client=" + client);
    }
}
