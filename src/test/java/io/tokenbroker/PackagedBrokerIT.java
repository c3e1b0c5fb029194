package io.tokenbroker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.TestAccounts;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The built artifact as shipped: the jar in a normal build, the native executable when built with
 * {@code -Dnative} (GraalVM or a container build), against a real Redis and the platform stand-in
 * (plain HTTP, which production refuses unless {@code broker.allow-insecure-urls=true}).
 */
@QuarkusIntegrationTest
@WithTestResource(value = BrokerTestResources.class,
        initArgs = @ResourceArg(name = BrokerTestResources.ALLOW_INSECURE_URLS, value = "true"))
class PackagedBrokerIT {

    @Test
    void servesATokenFromThePlatformThroughRedis() {
        given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY)
                .when().get("/token")
                .then().statusCode(200)
                .contentType("application/json")
                .body("client", equalTo("default"))
                .header("Cache-Control", startsWith("private, max-age="));
    }

    @Test
    void refusesUnauthenticatedCallersWithProblemJson() {
        given().when().get("/token")
                .then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"));
    }

    @Test
    void reportsHealthMetricsAndOpenApiOnTheManagementPortOnly() {
        ManagementInterface.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        for (String path : List.of("/q/health/live", "/q/health/started", "/q/metrics", "/q/openapi")) {
            ManagementInterface.given().get(path).then().statusCode(200);
            given().get(path).then().statusCode(404);
        }
    }
}
