package io.tokenbroker.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import org.junit.jupiter.api.Test;

/**
 * Client {@code rotating} reads its secret from a file, as from a mounted Kubernetes Secret: the
 * platform rotates the secret, the broker is refused, the file is updated, and the next call uses
 * the new secret without a restart and without waiting out the rejection hold.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SecretFileRotationTest {

    private static final String ALICE = "Bearer " + TestAccounts.ALICE_KEY;
    private static final String CLIENT = TestAccounts.ROTATING;

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void aChangedSecretFileTakesEffectWithoutARestart() {
        String first = given().header("Authorization", ALICE).get("/token?client=" + CLIENT)
                .then().statusCode(200).extract().path("accessToken");
        assertThat(platform.isValid(first)).isTrue();

        String rotated = "s3cret-rotated-7d41e0";
        platform.account(TestAccounts.clientId(CLIENT), rotated);
        refresh(first).then().statusCode(502).contentType("application/problem+json");

        TestAccounts.writeSecretFile(rotated);
        String second = refresh(first).then().statusCode(200).extract().path("accessToken");

        assertThat(second).isNotEqualTo(first);
        assertThat(platform.isValid(second)).isTrue();
    }

    private static io.restassured.response.Response refresh(String rejected) {
        return given().header("Authorization", ALICE).contentType(ContentType.JSON)
                .body("{\"rejectedToken\":\"" + rejected + "\"}")
                .post("/token/refresh?client=" + CLIENT);
    }
}
