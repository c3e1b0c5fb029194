package io.tokenbroker.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import org.junit.jupiter.api.Test;

/**
 * The credential call as the platform receives it: a POST with an empty body whose query carries
 * {@code clientId}, {@code secret} and {@code userType=2}, each exactly as configured once decoded.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class CredentialRequestTest {

    private static final String CLIENT = TestAccounts.QUERY_CHARACTERS;

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void aSecretMadeOfCharactersThatMeanSomethingInAQueryReachesThePlatformExactly() {
        String clientId = TestAccounts.clientId(CLIENT);

        Response answer = given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY)
                .get("/token?client=" + CLIENT);

        assertThat(platform.credentialRequests(clientId)).isNotEmpty().allSatisfy(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.query()).containsOnly(entry("clientId", clientId),
                    entry("secret", TestAccounts.QUERY_CHARACTERS_SECRET), entry("userType", "2"));
            assertThat(request.bodyLength()).isZero();
        });
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
        assertThat(platform.isValid(answer.path("accessToken"))).isTrue();
    }
}
