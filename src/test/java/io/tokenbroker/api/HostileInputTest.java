package io.tokenbroker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import org.junit.jupiter.api.Test;

/**
 * What a hostile or broken caller may send: every answer is a 4xx with a problem+json body, none
 * is a 5xx, nothing sent comes back as a header, and the broker stays healthy.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class HostileInputTest {

    private static final String ALICE = "Bearer " + TestAccounts.ALICE_KEY;

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void credentialsAnywhereButABearerHeaderAre401() {
        String key = TestAccounts.ALICE_KEY;
        assertProblem(given().get("/token?access_token=" + key), 401);
        assertProblem(given().get("/token?api_key=" + key + "&key=" + key), 401);
        assertProblem(given().header("Authorization", "Basic " + key).get("/token"), 401);
        assertProblem(given().header("Authorization", "Token " + key).get("/token"), 401);
        assertProblem(given().header("Authorization", key).get("/token"), 401);
        assertProblem(given().header("Authorization", "Bearer").get("/token"), 401);
        assertProblem(given().header("Authorization", "Bearer  ").get("/token"), 401);
        assertProblem(given().header("X-Api-Key", key).get("/token"), 401);
        assertProblem(given().cookie("Authorization", "Bearer " + key).get("/token"), 401);
    }

    @Test
    void unauthenticatedRequestsCauseNoPlatformCallEvenForAColdClient() {
        int before = platform.calls(TestAccounts.clientId("cold"));
        assertProblem(given().get("/token?client=cold&access_token=" + TestAccounts.ALICE_KEY), 401);
        assertProblem(given().contentType(ContentType.JSON).body("{\"rejectedToken\":\"x\"}")
                .post("/token/refresh?client=cold"), 401);
        assertThat(platform.calls(TestAccounts.clientId("cold"))).isEqualTo(before);
    }

    @Test
    void mistypedRefreshBodiesAre400() {
        for (String body : new String[] {"{\"rejectedToken\":123}", "{\"rejectedToken\":true}",
            "{\"rejectedToken\":1.5}", "{\"rejectedToken\":[\"a\"]}", "{\"rejectedToken\":\"a\"} trailing",
            "null", "{\"rejectedToken\":\"a\",\"rejectedToken\":{}}"}) {
            assertProblem(refresh(ContentType.JSON, body), 400);
        }
    }

    @Test
    void aOneMebibyteRefreshBodyIsRefusedWithoutBeingRead() {
        String huge = "{\"rejectedToken\":\"" + "x".repeat(1024 * 1024) + "\"}";
        Response response = refresh(ContentType.JSON, huge);
        assertProblem(response, 413);
        healthy();
    }

    @Test
    void bodiesThatAreNotJsonAre415() {
        assertProblem(refresh(ContentType.TEXT, "{\"rejectedToken\":\"x\"}"), 415);
        assertProblem(refresh(ContentType.XML, "<rejectedToken>x</rejectedToken>"), 415);
        assertProblem(refresh(ContentType.URLENC, "rejectedToken=x"), 415);
    }

    @Test
    void unservableAcceptHeadersAre406() {
        assertProblem(given().header("Authorization", ALICE).accept("application/xml").get("/token"), 406);
        assertProblem(given().header("Authorization", ALICE).accept("image/*").get("/token"), 406);
        assertProblem(given().header("Authorization", ALICE).accept("text/html").contentType(ContentType.JSON)
                .body("{\"rejectedToken\":\"x\"}").post("/token/refresh"), 406);
        given().header("Authorization", ALICE).accept("text/*").get("/token?client=other")
                .then().statusCode(200).contentType("text/plain");
    }

    @Test
    void unparseableAcceptHeadersAre400() {
        assertProblem(given().header("Authorization", ALICE).header("Accept", "blah").get("/token"), 400);
        assertProblem(given().header("Authorization", ALICE).header("Accept", "*/*, a/b; q").get("/token"), 400);
    }

    @Test
    void wrongMethodsAre405() {
        assertProblem(given().header("Authorization", ALICE).delete("/token"), 405);
        assertProblem(given().header("Authorization", ALICE).get("/token/refresh"), 405);
    }

    @Test
    void controlCharactersInTheClientNameNeverBecomeHeaders() {
        for (String name : new String[] {"x%00y", "x%0d%0aSet-Cookie:%20a=b", "x%0aX-Injected:%201", "%e2%80%a8"}) {
            Response response = given().header("Authorization", ALICE).urlEncodingEnabled(false)
                    .get("/token?client=" + name);
            assertProblem(response, 400);
            assertThat(response.headers().hasHeaderWithName("Set-Cookie")).isFalse();
            assertThat(response.headers().hasHeaderWithName("X-Injected")).isFalse();
            assertThat(response.asString()).doesNotContain("Set-Cookie").doesNotContain("X-Injected");
        }
        healthy();
    }

    private static Response refresh(ContentType type, String body) {
        return given().header("Authorization", ALICE).contentType(type).body(body).post("/token/refresh?client=refresh-c");
    }

    private static void assertProblem(Response response, int status) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.<Integer>path("status")).isEqualTo(status);
    }

    private static void healthy() {
        ManagementInterface.given().get("/q/health/live").then().statusCode(200);
        given().header("Authorization", ALICE).get("/token?client=other").then().statusCode(200);
    }
}
