package io.tokenbroker.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.PlatformStandIn.Failure;
import io.tokenbroker.testing.TestAccounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class PlatformFailuresTest {

    private static final String ALICE = "Bearer " + TestAccounts.ALICE_KEY;

    @InjectPlatform
    PlatformStandIn platform;

    @ParameterizedTest(name = "{0} is retried")
    @CsvSource({"flaky-500, HTTP_500, unavailable", "flaky-html, HTML_PAGE, unavailable",
        "flaky-busy, BUSY, unavailable", "flaky-nodata, NO_DATA, bad-answer", "flaky-hang, HANG, timeout"})
    void transientFailuresAreRetriedAndCounted(String client, Failure failure, String outcome) {
        platform.failNext(TestAccounts.clientId(client), failure, failure);

        String token = given().header("Authorization", ALICE).get("/token?client=" + client)
                .then().statusCode(200).extract().path("accessToken");

        assertThat(platform.calls(TestAccounts.clientId(client))).isEqualTo(3);
        assertThat(platform.isValid(token)).isTrue();
        assertThat(given().get("/q/metrics").then().extract().asString())
                .contains("broker_platform_calls_total{client=\"" + client + "\",outcome=\"" + outcome + "\"} 2.0")
                .contains("broker_platform_calls_total{client=\"" + client + "\",outcome=\"ok\"} 1.0");
    }

    @Test
    void rejectedCredentialsAre502AndNotRetried() {
        String clientId = TestAccounts.clientId("rejected");
        for (int i = 0; i < 5; i++) {
            given().header("Authorization", ALICE).get("/token?client=rejected")
                    .then().statusCode(502).contentType("application/problem+json")
                    .body("status", equalTo(502))
                    .body("title", equalTo("The platform rejected the credentials"));
        }
        assertThat(platform.calls(clientId)).isEqualTo(1);
    }

    @Test
    void anOpenBreakerAnswers503AtOnceAndStopsCallingThePlatform() {
        String clientId = TestAccounts.clientId("down");
        platform.failAlways(clientId, Failure.HTTP_500);
        try {
            Response last = null;
            for (int i = 0; i < 4; i++) {
                last = given().header("Authorization", ALICE).get("/token?client=down");
                assertThat(last.statusCode()).isEqualTo(503);
            }
            int callsWhenOpen = platform.calls(clientId);
            given().header("Authorization", ALICE).get("/token?client=down")
                    .then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", not(emptyOrNullString()));

            assertThat(platform.calls(clientId)).isEqualTo(callsWhenOpen).isLessThanOrEqualTo(6);
            // Another client's breaker is its own: it still gets tokens.
            given().header("Authorization", ALICE).get("/token?client=other").then().statusCode(200);
        } finally {
            platform.recover(clientId);
        }
    }

    @Test
    void rejectedCredentialsNeverOpenAnotherClientsBreaker() {
        for (int i = 0; i < 10; i++) {
            given().header("Authorization", ALICE).get("/token?client=rejected").then().statusCode(502);
        }
        given().header("Authorization", ALICE).get("/token?client=healthy").then().statusCode(200);
    }
}
