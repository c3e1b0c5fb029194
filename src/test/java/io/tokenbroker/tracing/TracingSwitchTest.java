package io.tokenbroker.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing is on exactly when an OTLP endpoint is configured, unless the SDK switch is set explicitly. */
class TracingSwitchTest {

    @Test
    void withoutAnEndpointTheSdkIsDisabled() {
        assertThat(sdkDisabled(Map.of())).isTrue();
    }

    @Test
    void anOtlpEndpointTurnsTheSdkOn() {
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317"))).isFalse();
    }

    @Test
    void anOtlpTracesEndpointTurnsTheSdkOn() {
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.traces.endpoint", "http://collector:4318")))
                .isFalse();
    }

    @Test
    void theDefaultEndpointQuarkusRegistersLeavesTheSdkDisabled() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("quarkus.otel.exporter.otlp.endpoint",
                        "http://localhost:4317/"), "DefaultValuesConfigSource", Integer.MIN_VALUE))
                .withSources(new TracingSwitch())
                .build();

        assertThat(config.getValue(TracingSwitch.SDK_DISABLED, Boolean.class)).isTrue();
    }

    @Test
    void aBlankEndpointLeavesTheSdkDisabled() {
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", " "))).isTrue();
    }

    @Test
    void anExplicitSwitchWinsEitherWay() {
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317",
                TracingSwitch.SDK_DISABLED, "true"))).isTrue();
        assertThat(sdkDisabled(Map.of(TracingSwitch.SDK_DISABLED, "false"))).isFalse();
    }

    /** What {@code quarkus.otel.sdk.disabled} reads as with {@code configured} in application.properties. */
    private static boolean sdkDisabled(Map<String, String> configured) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(configured, "application.properties", 250))
                .withSources(new TracingSwitch())
                .build();
        return config.getValue(TracingSwitch.SDK_DISABLED, Boolean.class);
    }
}
