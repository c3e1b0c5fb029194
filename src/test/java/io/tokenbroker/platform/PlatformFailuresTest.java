package io.tokenbroker.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.PlatformStandIn.Failure;
import io.tokenbroker.testing.PlatformStandIn;
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

    @ParameterizedTest(name = "{1} is retried")
    @CsvSource({"flaky-busy, BUSY", "flaky-503, HTTP_503", "flaky-429, HTTP_429"})
    void answersThatSayNothingWasIssuedAreRetried(String client, Failure failure) {
        platform.failNext(TestAccounts.clientId(client), failure, failure);

        String token = given().header("Authorization", ALICE).get("/token?client=" + client)
                .then().statusCode(200).extract().path("accessToken");

        assertThat(platform.calls(TestAccounts.clientId(client))).isEqualTo(3);
        assertThat(platform.isValid(token)).isTrue();
        assertThat(metrics())
                .contains("broker_platform_calls_total{client=\"" + client + "\",outcome=\"unavailable\"} 2.0")
                .contains("broker_platform_calls_total{client=\"" + client + "\",outcome=\"ok\"} 1.0");
    }

    @Test
    void aPlatformNobodyListensForIsTriedAgainSinceNoRequestLeft() {
        given().header("Authorization", ALICE).get("/token?client=" + TestAccounts.UNREACHABLE)
                .then().statusCode(503).header("Retry-After", not(emptyOrNullString()));

        assertThat(metrics()).contains("broker_platform_calls_total{client=\"" + TestAccounts.UNREACHABLE
                + "\",outcome=\"unreachable\"} 3.0");
    }

    @ParameterizedTest(name = "{1} is not retried: a token may have been issued")
    @CsvSource({"flaky-500, HTTP_500, unavailable, 503", "flaky-html, HTML_PAGE, unavailable, 503",
        "flaky-nodata, NO_DATA, bad-answer, 502"})
    void answersAfterWhichATokenMayExistAreNeverRepeated(String client, Failure failure, String outcome,
            int status) {
        String clientId = TestAccounts.clientId(client);
        platform.failNext(clientId, failure);

        given().header("Authorization", ALICE).get("/token?client=" + client).then().statusCode(status);
        assertThat(platform.calls(clientId)).isEqualTo(1);
        assertThat(metrics())
                .contains("broker_platform_calls_total{client=\"" + client + "\",outcome=\"" + outcome + "\"} 1.0");

        String token = given().header("Authorization", ALICE).get("/token?client=" + client)
                .then().statusCode(200).extract().path("accessToken");
        assertThat(platform.isValid(token)).isTrue();
        assertThat(platform.calls(clientId)).isEqualTo(2);
    }

    @Test
    void aCallSlowerThanTheTimeOutAnswersItsCallers503AndIsWaitedForNotRepeated() {
        String clientId = TestAccounts.clientId("flaky-hang");
        platform.failNext(clientId, Failure.HANG);

        given().header("Authorization", ALICE).get("/token?client=flaky-hang").then().statusCode(503)
                .header("Retry-After", not(emptyOrNullString()));
        assertThat(metrics()).contains("broker_platform_calls_total{client=\"flaky-hang\",outcome=\"timeout\"} 1.0");
        // While its answer may still come, nobody calls again: callers get 503 at once.
        given().header("Authorization", ALICE).get("/token?client=flaky-hang").then().statusCode(503);
        assertThat(platform.calls(clientId)).isEqualTo(1);

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> metrics()
                .contains("broker_platform_calls_total{client=\"flaky-hang\",outcome=\"unavailable\"} 1.0"));
        String token = given().header("Authorization", ALICE).get("/token?client=flaky-hang")
                .then().statusCode(200).extract().path("accessToken");
        assertThat(platform.isValid(token)).isTrue();
        assertThat(platform.calls(clientId)).as("called again only after the late answer came").isEqualTo(2);
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

    private static String metrics() {
        return ManagementInterface.given().get("/q/metrics").then().extract().asString();
    }
}
