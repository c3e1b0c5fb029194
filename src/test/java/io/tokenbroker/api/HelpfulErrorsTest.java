package io.tokenbroker.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.TestAccounts;
import org.junit.jupiter.api.Test;

/** Where newcomers err, the error says what to send instead, and never quotes what was sent. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class HelpfulErrorsTest {

    private static final String ALICE = "Bearer " + TestAccounts.ALICE_KEY;

    @Test
    void aWrongMethodNamesTheOnesAllowedInDetailAndInAllow() {
        given().header("Authorization", ALICE).delete("/token")
                .then().statusCode(405).contentType("application/problem+json")
                .header("Allow", containsString("GET"))
                .body("detail", allOf(containsString("DELETE is not served on /token"), containsString("use GET")));
        given().header("Authorization", ALICE).get("/token/refresh")
                .then().statusCode(405).header("Allow", equalTo("POST"))
                .body("detail", containsString("use POST"));
    }

    @Test
    void anAcceptTheBrokerCannotAnswerNamesWhatItProduces() {
        given().header("Authorization", ALICE).accept("application/xml").get("/token")
                .then().statusCode(406).contentType("application/problem+json")
                .body("detail", containsString("/token answers application/json or text/plain"));
    }

    @Test
    void aBodyWithoutContentTypeIsToldToSendJson() {
        given().header("Authorization", ALICE).contentType("application/x-www-form-urlencoded")
                .body("{\"rejectedToken\":\"t\"}").post("/token/refresh")
                .then().statusCode(415).contentType("application/problem+json")
                .body("detail", containsString("Content-Type: application/json"));
    }

    @Test
    void brokenJsonIsLocatedButNeverQuoted() {
        given().header("Authorization", ALICE).contentType("application/json")
                .body("{\"rejectedToken\": secret-looking-token}").post("/token/refresh")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", allOf(containsString("line 1, column"), containsString("rejectedToken"),
                        not(containsString("secret-looking-token"))));
    }

    @Test
    void anUnknownPathListsTheBrokersEndpointsWithoutEchoingIt() {
        given().header("Authorization", ALICE).get("/tokens-of-abc123")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", allOf(containsString("GET /token"), containsString("/platform/CLIENT/PATH"),
                        not(containsString("abc123"))));
    }
}
