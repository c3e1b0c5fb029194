package io.tokenbroker.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.TestAccounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The dashboard and the alerts name only metrics the broker really exports. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class MonitoringReferencesTest {

    private static final Pattern METRIC = Pattern.compile("broker_[a-z_]+");

    @Test
    void everyMetricTheDashboardAndAlertsUseIsExported() throws IOException {
        // Business-call series appear with the first call of a caller.
        given().header("Authorization", "Bearer " + TestAccounts.PAT_KEY)
                .get("/platform/" + TestAccounts.PROXY + "/openapi/echo/monitoring").then().statusCode(200);
        String exported = ManagementInterface.metrics();
        Set<String> referenced = new TreeSet<>();
        referenced.addAll(metricsIn(Path.of("k8s/monitoring/grafana-dashboard.json")));
        referenced.addAll(metricsIn(Path.of("k8s/monitoring/prometheusrule.yaml")));

        assertThat(referenced).contains("broker_token_expires_at_timestamp_seconds", "broker_platform_calls_total",
                "broker_circuit_breaker_open", "broker_token_requests_total", "broker_business_calls_total");
        assertThat(referenced).allSatisfy(name ->
                assertThat(exported).as("exported metrics").containsPattern("(?m)^" + name + "[{ ]"));
    }

    private static Set<String> metricsIn(Path file) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(Files.readString(file));
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }
}
