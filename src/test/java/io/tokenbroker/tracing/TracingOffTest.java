package io.tokenbroker.tracing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.TestAccounts;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Without an OTLP endpoint (Quarkus registers one by default, which must not count) the SDK is
 * disabled: the broker makes no span of its own and Quarkus traces no request.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class TracingOffTest {

    @ConfigProperty(name = TracingSwitch.SDK_DISABLED)
    boolean sdkDisabled;

    @Inject
    Spans spans;

    @Inject
    InMemorySpanExporter exported;

    @Test
    void withoutAnEndpointNothingIsTraced() {
        given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token?client=refresh-d")
                .then().statusCode(200);
        given().header("Authorization", "Bearer " + TestAccounts.PAT_KEY)
                .get("/platform/" + TestAccounts.PROXY + "/openapi/echo/untraced").then().statusCode(200);

        assertThat(sdkDisabled).isTrue();
        assertThat(spans.on()).isFalse();
        assertThat(exported.getFinishedSpanItems()).isEmpty();
    }
}
