package io.tokenbroker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.TestAccounts;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /q/openapi} and {@code /q/metrics} describe what the broker does, on the management port only. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class OperationsEndpointsTest {

    private static final String REQUESTS = "broker_token_requests_total";

    @Inject
    BrokerConfig config;

    @Test
    void theOpenApiDocumentDescribesBothCallsAndTheirErrors() {
        Map<String, Object> responses = ManagementInterface.given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().path("paths.'/token'.get.responses");
        assertThat(responses).containsKeys("200", "400", "401", "403", "404", "502", "503");
        Map<String, Object> refresh = ManagementInterface.given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().path("paths.'/token/refresh'.post.responses");
        assertThat(refresh).containsKeys("200", "400", "401", "415", "429", "503");
    }

    @Test
    void theOpenApiDocumentLetsSwaggerUiCallEveryOperationWithABearerCredential() {
        io.restassured.path.json.JsonPath api = ManagementInterface.given().accept("application/json")
                .get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();

        assertThat(api.getString("components.securitySchemes.bearer.type")).isEqualTo("http");
        assertThat(api.getString("components.securitySchemes.bearer.scheme")).isEqualTo("bearer");
        assertThat(api.getList("security.bearer")).isNotNull();
        assertThat(api.getMap("paths.'/token'.get.responses.'200'.content")).containsKeys("application/json", "text/plain");
        assertThat(api.getMap("paths.'/token'.get.responses")).containsKeys("406");
        assertThat(api.getMap("paths.'/token/refresh'.post.responses")).containsKeys("413");
        assertThat(api.getString("paths.'/token'.get.parameters.find { it.name == 'client' }.schema.type"))
                .isEqualTo("string");
        assertThat(api.getMap("components.schemas.RefreshRequest.properties")).containsOnlyKeys("rejectedToken");
        assertThat(api.getMap("paths.'/platform/{client}/{path}'")).containsKeys("get", "post", "put", "patch", "delete");
        assertThat(api.getMap("paths.'/platform/{client}/{path}'.post.responses"))
                .containsKeys("400", "401", "403", "404", "413", "502", "503", "504");
    }

    @Test
    void theOperationsEndpointsAnswerOnlyOnTheManagementPort() {
        for (String path : List.of("/q/metrics", "/q/openapi", "/q/health", "/q/health/ready", "/q/health/live")) {
            given().get(path).then().statusCode(404);
            ManagementInterface.given().get(path).then().statusCode(200);
        }
        ManagementInterface.given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token")
                .then().statusCode(404);
    }

    @Test
    void metricsCountRequestsPlatformCallsAndFailedAuthentications() {
        given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token?client=other")
                .then().statusCode(200);
        given().header("Authorization", "Bearer nobody").get("/token").then().statusCode(401);

        String metrics = ManagementInterface.metrics();

        assertThat(metrics)
                .containsPattern("broker_token_requests_total\\{caller=\"alice\",client=\"other\",outcome=\"served\"[^}]*} [1-9]")
                .containsPattern("broker_platform_calls_total\\{client=\"other\",outcome=\"ok\"[^}]*} [1-9]")
                .containsPattern("broker_auth_failures_total\\{reason=\"unknown-key\"[^}]*} [1-9]")
                .containsPattern("broker_token_expires_in_seconds\\{client=\"other\"[^}]*} [1-9]")
                .contains("broker_token_age_seconds{client=\"other\"")
                .contains("broker_circuit_breaker_open{client=\"other\"")
                .as("every outcome the README lists exists from start-up")
                .contains("broker_platform_calls_total{client=\"cold\",outcome=\"timeout\"}");
    }

    @Test
    void tokenRequestsAreCountedByTheConfiguredCallerOrNoneBeforeAuthentication() {
        given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token?client=other")
                .then().statusCode(200);
        given().header("Authorization", "Bearer " + TestAccounts.BOB_KEY).get("/token?client=default")
                .then().statusCode(403);
        given().header("Authorization", "Bearer caller=\"mallory\",x").get("/token").then().statusCode(401);

        String metrics = ManagementInterface.metrics();

        assertThat(metrics)
                .containsPattern(REQUESTS + "\\{caller=\"alice\",client=\"other\",outcome=\"served\"[^}]*} [1-9]")
                .containsPattern(REQUESTS + "\\{caller=\"bob\",client=\"default\",outcome=\"403\"[^}]*} [1-9]")
                .containsPattern(REQUESTS + "\\{caller=\"none\",client=\"none\",outcome=\"401\"[^}]*} [1-9]");
        Set<String> bounded = new HashSet<>(config.callers().keySet());
        bounded.add(BrokerMetrics.NO_CALLER);
        assertThat(labelValues(metrics, REQUESTS, "caller")).isSubsetOf(bounded);
        assertThat(labelValues(metrics, "broker_forced_refreshes_total", "caller")).isSubsetOf(bounded);
    }

    @Test
    void eachCallersSeriesExistFromStartUpForTheClientsItWasGranted() {
        String metrics = ManagementInterface.metrics();

        // bob may read "other" only; erin may make business calls through "proxy" but not read its token.
        assertThat(metrics)
                .contains(REQUESTS + "{caller=\"bob\",client=\"other\",outcome=\"served\"")
                .doesNotContain(REQUESTS + "{caller=\"bob\",client=\"default\",outcome=\"served\"")
                .doesNotContain(REQUESTS + "{caller=\"erin\",client=\"" + TestAccounts.PROXY + "\",outcome=\"served\"")
                .contains("broker_forced_refreshes_total{caller=\"erin\",client=\"" + TestAccounts.PROXY
                        + "\",outcome=\"performed\"")
                .contains(REQUESTS + "{caller=\"none\",client=\"none\",outcome=\"401\"");
    }

    /** Every value {@code label} takes in the series of {@code metric}. */
    private static Set<String> labelValues(String scraped, String metric, String label) {
        Matcher series = Pattern.compile("(?m)^" + metric + "\\{([^}]*)}").matcher(scraped);
        Pattern value = Pattern.compile("(?:^|,)" + label + "=\"([^\"]*)\"");
        Set<String> values = new TreeSet<>();
        while (series.find()) {
            Matcher labelled = value.matcher(series.group(1));
            if (labelled.find()) {
                values.add(labelled.group(1));
            }
        }
        return values;
    }
}
