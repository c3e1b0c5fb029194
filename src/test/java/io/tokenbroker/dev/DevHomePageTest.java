package io.tokenbroker.dev;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.support.TokenFingerprint;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import org.junit.jupiter.api.Test;

/** The dev-mode page at {@code /}: every client's state by fingerprint, and a button that forces a new token. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class DevHomePageTest {

    private static final String CLIENT = TestAccounts.DEV_PAGE;

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void thePageShowsEachClientByFingerprintAndLinksSwaggerUiAndTheDevUi() {
        String token = tokenOf(CLIENT);

        String page = given().get("/").then().statusCode(200).contentType("text/html").extract().asString();

        assertThat(page).contains("<td>" + CLIENT + "</td>", TokenFingerprint.of(token), "dev-key", "/q/swagger-ui",
                "/q/dev-ui", "no token yet");
        assertThat(platform.issuedTokens()).allSatisfy(issued -> assertThat(page).doesNotContain(issued));
    }

    @Test
    void theButtonForcesOneNewTokenAndShowsThePageAgain() {
        String before = tokenOf(CLIENT);
        int calls = platform.calls(TestAccounts.clientId(CLIENT));

        given().redirects().follow(false).post(DevHomePage.REFRESH + "?client=" + CLIENT)
                .then().statusCode(303).header("Location", DevHomePage.PATH);

        assertThat(platform.calls(TestAccounts.clientId(CLIENT))).isEqualTo(calls + 1);
        assertThat(tokenOf(CLIENT)).isNotEqualTo(before);
        assertThat(ManagementInterface.metrics()).as("counted under no caller: labels name configured callers only")
                .contains("broker_forced_refreshes_total{caller=\"none\",client=\"" + CLIENT + "\",outcome=\"performed\"} 1.0");
        given().post(DevHomePage.REFRESH + "?client=no-such-client").then().statusCode(404);
    }

    private static String tokenOf(String client) {
        return given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).accept("text/plain")
                .get("/token?client=" + client).then().statusCode(200).extract().asString();
    }
}
