package io.tokenbroker.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rejected credentials are the operator's to fix, not a sign of a failing platform: with no hold
 * between attempts, every rejection reaches the platform, and none of them opens a breaker.
 */
@QuarkusTest
@TestProfile(CredentialRejectionTest.NoHold.class)
@WithTestResource(BrokerTestResources.class)
class CredentialRejectionTest {

    public static class NoHold implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("broker.platform.rejection-hold", "0s");
        }
    }

    private static final String ALICE = "Bearer " + TestAccounts.ALICE_KEY;

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void manyRejectionsNeverOpenTheBreakerSoFixedCredentialsWorkAtOnce() {
        String clientId = TestAccounts.clientId("rejected");
        for (int i = 0; i < 10; i++) {
            given().header("Authorization", ALICE).get("/token?client=rejected").then().statusCode(502);
        }
        assertThat(platform.calls(clientId)).as("every rejection reached the platform").isEqualTo(10);

        platform.account(clientId, TestAccounts.secret("rejected"));

        String token = given().header("Authorization", ALICE).get("/token?client=rejected")
                .then().statusCode(200).extract().path("accessToken");
        assertThat(platform.isValid(token)).isTrue();
        given().header("Authorization", ALICE).get("/token?client=healthy").then().statusCode(200);
    }
}
