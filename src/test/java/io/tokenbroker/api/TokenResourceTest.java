package io.tokenbroker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class TokenResourceTest {

    private static final String ALICE = "Bearer " + TestAccounts.ALICE_KEY;

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void servesTheDefaultClientsTokenAsJson() {
        Response response = given().header("Authorization", ALICE)
                .when().get("/token")
                .then().statusCode(200)
                .contentType("application/json")
                .body("client", equalTo("default"))
                .extract().response();

        String token = response.path("accessToken");
        long expiresIn = response.<Number>path("expiresIn").longValue();
        Instant expiresAt = Instant.parse(response.path("expiresAt"));
        assertThat(platform.isValid(token)).isTrue();
        assertThat(expiresIn).isGreaterThan(0).isLessThan(7200);
        assertThat(Duration.between(Instant.now(), expiresAt).toSeconds()).isBetween(expiresIn - 2, expiresIn + 1);
        assertThat(response.path("expiresAt").toString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    }

    @Test
    void cacheControlIsPrivateWithAMaxAgeWithinExpiresIn() {
        Response response = given().header("Authorization", ALICE).get("/token?client=other");

        long expiresIn = response.<Number>path("expiresIn").longValue();
        String cacheControl = response.header("Cache-Control");
        assertThat(cacheControl).matches("private, max-age=\\d+");
        long maxAge = Long.parseLong(cacheControl.substring(cacheControl.indexOf('=') + 1));
        assertThat(maxAge).isGreaterThan(0).isLessThanOrEqualTo(expiresIn);
    }

    @Test
    void servesTheBareTokenAsTextPlain() {
        String json = given().header("Authorization", ALICE).get("/token?client=other").path("accessToken");

        given().header("Authorization", ALICE).accept("text/plain")
                .when().get("/token?client=other")
                .then().statusCode(200)
                .contentType(startsWith("text/plain"))
                .header("Cache-Control", startsWith("private, max-age="))
                .body(equalTo(json));
    }

    @Test
    void answersJsonToCallersThatAcceptAnything() {
        given().header("Authorization", ALICE).accept("*/*")
                .when().get("/token")
                .then().statusCode(200).contentType("application/json");
    }

    @Test
    void callsThePlatformOnceForRepeatedRequests() {
        int before = platform.calls(TestAccounts.clientId("default"));
        String first = given().header("Authorization", ALICE).get("/token").path("accessToken");
        for (int i = 0; i < 20; i++) {
            given().header("Authorization", ALICE).get("/token").then().body("accessToken", equalTo(first));
        }
        assertThat(platform.calls(TestAccounts.clientId("default"))).isLessThanOrEqualTo(Math.max(before, 1));
    }

    @Test
    void rejectsMissingCredentialsWith401() {
        given().when().get("/token")
                .then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .contentType("application/problem+json")
                .body("status", equalTo(401)).body("title", equalTo("Unauthorized"));
    }

    @Test
    void rejectsUnknownKeysAndOtherSchemesWith401() {
        given().header("Authorization", "Bearer not-a-key").get("/token").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"));
        given().header("Authorization", "Basic " + TestAccounts.ALICE_KEY).get("/token").then().statusCode(401);
        given().header("Authorization", "Bearer ").get("/token").then().statusCode(401);
        given().queryParam("access_token", TestAccounts.ALICE_KEY).get("/token").then().statusCode(401);
    }

    @Test
    void forbidsClientsTheCallerWasNotGranted() {
        given().header("Authorization", "Bearer " + TestAccounts.BOB_KEY)
                .when().get("/token?client=default")
                .then().statusCode(403).contentType("application/problem+json").body("status", equalTo(403));
        given().header("Authorization", "Bearer " + TestAccounts.BOB_KEY)
                .when().get("/token?client=other")
                .then().statusCode(200);
    }

    @Test
    void unknownClientsAre404EvenForCallersWithALimitedGrant() {
        given().header("Authorization", "Bearer " + TestAccounts.BOB_KEY)
                .when().get("/token?client=nobody")
                .then().statusCode(404).contentType("application/problem+json").body("status", equalTo(404));
    }

    @Test
    void malformedClientNamesAre400() {
        for (String name : new String[] {"", "a".repeat(65), "bad name", "../etc", "x%00y", "x%0d%0aSet-Cookie:a"}) {
            Response response = given().header("Authorization", ALICE).urlEncodingEnabled(false)
                    .when().get("/token?client=" + name.replace(" ", "%20"));
            assertThat(response.statusCode()).as("status for client name '%s'", name).isEqualTo(400);
            assertThat(response.contentType()).isEqualTo("application/problem+json");
            assertThat(response.<String>path("type")).startsWith("urn:token-broker:problem:");
        }
    }

    @Test
    void unauthenticatedRequestsCauseNoPlatformCall() {
        int before = platform.calls(TestAccounts.clientId("cold"));
        given().get("/token?client=cold").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").get("/token?client=cold").then().statusCode(401);
        assertThat(platform.calls(TestAccounts.clientId("cold"))).isEqualTo(before);
    }

    @Test
    void unknownPathsAnswerProblemJson() {
        given().header("Authorization", ALICE).get("/nothing-here")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void theBrokerSpeaksThePlatformsProtocol() {
        given().header("Authorization", ALICE).get("/token?client=other").then().statusCode(200);
        assertThat(platform.protocolViolations()).isZero();
    }
}
