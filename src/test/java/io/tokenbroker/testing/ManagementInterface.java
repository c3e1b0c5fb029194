package io.tokenbroker.testing;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The management interface of the broker under test ({@code /q/*}: health, metrics, OpenAPI), which
 * listens on a port of its own, apart from the one that hands out tokens.
 */
public final class ManagementInterface {

    private ManagementInterface() {
    }

    /** A REST Assured request to the management port. */
    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }

    /**
     * The management port of the broker under test: in {@code @QuarkusTest}s the free port the test
     * instance took ({@code quarkus.management.test-port=0}), for the packaged application the one
     * {@link BrokerTestResources} chose for it.
     */
    public static int port() {
        Config config = ConfigProvider.getConfig();
        int testPort = config.getOptionalValue("quarkus.management.test-port", Integer.class).orElse(0);
        return testPort > 0 ? testPort : config.getValue("quarkus.management.port", Integer.class);
    }

    /** The Prometheus text {@code /q/metrics} exports now. */
    public static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }
}
