package io.tokenbroker.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.tokenbroker.support.TokenFingerprint;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operators' view of token state and their rotation, on the management port: operators only,
 * never a token in any answer, and a rotation is one platform call within the usual floors.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class AdminRoutesTest {

    private static final String CLIENTS = "/q/broker/clients";

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void theViewAnswersOnTheManagementPortOnly() {
        given().header("Authorization", "Bearer " + TestAccounts.OLGA_KEY).get(CLIENTS).then().statusCode(404);
        operator().get(CLIENTS).then().statusCode(200);
    }

    @Test
    void onlyOperatorsSeeTokenStateOrRotate() {
        ManagementInterface.given().get(CLIENTS).then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", "Bearer");
        ManagementInterface.given().header("Authorization", "Bearer not-a-key").get(CLIENTS + "/other")
                .then().statusCode(401);
        ManagementInterface.given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get(CLIENTS)
                .then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("urn:token-broker:problem:admin-only"));
        ManagementInterface.given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY)
                .post(CLIENTS + "/" + TestAccounts.ADMIN_ROTATED + "/rotate").then().statusCode(403);
        operator().get(CLIENTS + "/no-such-client").then().statusCode(404).contentType("application/problem+json");
        operator().get(CLIENTS + "/bad%20name%3Cscript%3E").then().statusCode(400)
                .body("detail", not(containsString("script")));
    }

    @Test
    void anOperatorGetsNoTokenOnTheCallersPort() {
        given().header("Authorization", "Bearer " + TestAccounts.OLGA_KEY).get("/token?client=" + TestAccounts.ADMIN_ROTATED)
                .then().statusCode(403);
        given().header("Authorization", "Bearer " + TestAccounts.OLGA_KEY)
                .get("/platform/" + TestAccounts.ADMIN_ROTATED + "/openapi/echo/x").then().statusCode(403);
    }

    @Test
    void eachClientShowsItsTokensFingerprintTimesBreakerAndLockButNeverTheToken() {
        String token = tokenOf("other");

        JsonPath other = operator().get(CLIENTS + "/other").then().statusCode(200)
                .header("Cache-Control", "no-store").extract().jsonPath();

        assertThat(other.getString("client")).isEqualTo("other");
        assertThat(other.getString("fingerprint")).isEqualTo(TokenFingerprint.of(token));
        assertThat(other.getLong("generation")).isPositive();
        Instant acquired = Instant.parse(other.getString("acquiredAt"));
        Instant servedUntil = Instant.parse(other.getString("servedUntil"));
        Instant nextRefresh = Instant.parse(other.getString("nextRefresh"));
        assertThat(acquired).isBefore(nextRefresh);
        assertThat(nextRefresh).isBefore(servedUntil);
        assertThat(other.getString("breaker")).isEqualTo("closed");
        assertThat(other.getMap("lock")).as("nobody holds the lock between acquisitions").isNull();
        assertThat(other.getInt("businessCallsInFlight")).isZero();
        assertThat(other.getBoolean("acquiring")).isFalse();
        assertThat(other.getString("lastFailure")).isNull();

        String all = operator().get(CLIENTS).then().statusCode(200).extract().asString();
        assertThat(JsonPath.from(all).getList("clients.client", String.class))
                .contains("default", "other", TestAccounts.ADMIN_UNREACHABLE).isSorted();
        assertThat(platform.issuedTokens()).isNotEmpty().allSatisfy(issued -> assertThat(all).doesNotContain(issued));
    }

    @Test
    void aFirstAcquisitionThatFailedShowsItsKindInTheViewAndInReadiness() {
        given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY)
                .get("/token?client=" + TestAccounts.ADMIN_UNREACHABLE).then().statusCode(503);

        JsonPath unreachable = operator().get(CLIENTS + "/" + TestAccounts.ADMIN_UNREACHABLE).then().statusCode(200)
                .extract().jsonPath();

        assertThat(unreachable.getString("fingerprint")).isNull();
        assertThat(unreachable.getString("lastFailure.kind")).isEqualTo("platform-unavailable");
        assertThat(Instant.parse(unreachable.getString("lastFailure.at"))).isBefore(Instant.now().plusSeconds(1));
        String readiness = ManagementInterface.given().get("/q/health/ready").then().extract()
                .path("checks.find { it.name == 'tokens' }.data.'client." + TestAccounts.ADMIN_UNREACHABLE + "'");
        assertThat(Instant.parse(unreachable.getString("lastFailure.failingSince")))
                .isBeforeOrEqualTo(Instant.parse(unreachable.getString("lastFailure.at")));
        assertThat(readiness).startsWith("no token yet").contains("failing since", "platform-unavailable");
    }

    @Test
    void rotationReplacesTheTokenWithOnePlatformCallAndTheFloorRefusesASecondAtOnce() {
        String client = TestAccounts.ADMIN_ROTATED;
        String before = tokenOf(client);
        int calls = platform.calls(TestAccounts.clientId(client));

        String answer = operator().post(CLIENTS + "/" + client + "/rotate").then().statusCode(200).extract().asString();

        String after = tokenOf(client);
        assertThat(after).isNotEqualTo(before);
        assertThat(platform.isValid(before)).as("the platform let the old token go").isFalse();
        assertThat(platform.calls(TestAccounts.clientId(client))).isEqualTo(calls + 1);
        assertThat(JsonPath.from(answer).getString("fingerprint")).isEqualTo(TokenFingerprint.of(after));
        assertThat(List.of(before, after)).allSatisfy(token -> assertThat(answer).doesNotContain(token));

        operator().post(CLIENTS + "/" + client + "/rotate").then().statusCode(429)
                .contentType("application/problem+json").header("Retry-After", org.hamcrest.Matchers.notNullValue());
        assertThat(platform.calls(TestAccounts.clientId(client))).isEqualTo(calls + 1);
        assertThat(tokenOf(client)).isEqualTo(after);
    }

    private static RequestSpecification operator() {
        return ManagementInterface.given().header("Authorization", "Bearer " + TestAccounts.OLGA_KEY);
    }

    private static String tokenOf(String client) {
        return given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).accept("text/plain")
                .get("/token?client=" + client).then().statusCode(200).extract().asString();
    }
}
