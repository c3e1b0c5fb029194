package io.tokenbroker.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.PlatformStandIn.Failure;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With tokens handed out for 4 s, the background refresh replaces them before callers notice. */
@QuarkusTest
@TestProfile(RefreshAheadTest.ShortLifetime.class)
@WithTestResource(BrokerTestResources.class)
class RefreshAheadTest {

    public static class ShortLifetime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("broker.token.lifetime", "5s", "broker.token.safety-margin", "1s",
                    "broker.token.refresh-ahead", "2s", "broker.token.check-interval", "100ms");
        }
    }

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void theTokenIsReplacedInTheBackgroundBeforeItExpires() {
        String first = token("default").path("accessToken");
        List<Response> seen = new ArrayList<>();

        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Response response = token("default");
            seen.add(response);
            return !first.equals(response.path("accessToken"));
        });

        assertThat(seen).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        assertThat(platform.calls(TestAccounts.clientId("default"))).isEqualTo(2);
        String second = seen.get(seen.size() - 1).path("accessToken");
        assertThat(platform.isValid(second)).isTrue();
        // Handed out for 4 s, refreshed 2 s ahead with at most 0.2 s of jitter, checked every 0.1 s: the
        // second token is due 2 s after the first, while a refresh on demand would come after 3 s.
        Duration between = Duration.between(platform.issuedAt(first), platform.issuedAt(second));
        assertThat(between).isBetween(Duration.ofMillis(1900), Duration.ofMillis(2700));
    }

    @Test
    void theCurrentTokenIsServedUntilItExpiresWhileRefreshingFails() {
        String clientId = TestAccounts.clientId("other");
        String first = token("other").path("accessToken");
        platform.failAlways(clientId, Failure.HTTP_500);
        try {
            await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50)).until(() ->
                    ManagementInterface.given().get("/q/health/ready").then().statusCode(200).extract()
                            .<String>path("checks.find { it.name == 'tokens' }.data.'client.other'"),
                    state -> state.startsWith("degraded"));
            List<Response> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Response response = token("other");
                seen.add(response);
                return response.statusCode() != 200;
            });

            Response last = seen.remove(seen.size() - 1);
            assertThat(last.statusCode()).isEqualTo(503);
            assertThat(last.header("Retry-After")).isNotBlank();
            assertThat(seen).isNotEmpty().allSatisfy(r -> {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.<String>path("accessToken")).isEqualTo(first);
            });
            assertThat(platform.calls(clientId)).isGreaterThan(1);
        } finally {
            platform.recover(clientId);
        }
    }

    private static Response token(String client) {
        return given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token?client=" + client);
    }
}
