package io.tokenbroker.tracing;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns tracing on exactly when an OTLP endpoint is configured. Quarkus' OpenTelemetry SDK is on by
 * default and would then export to {@code localhost:4317}, whether a collector listens there or not;
 * the broker defaults {@code quarkus.otel.sdk.disabled} to {@code true} instead, unless
 * {@code quarkus.otel.exporter.otlp.endpoint} or {@code quarkus.otel.exporter.otlp.traces.endpoint}
 * is set (other than by Quarkus' own default). The property is read at start-up (Quarkus installs no Vert.x tracer and no exporter while it
 * is {@code true}), so one packaged jar serves both. An explicit {@code quarkus.otel.sdk.disabled}, in
 * any source, wins.
 */
public final class TracingSwitch implements ConfigSourceFactory {

    public static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    static final List<String> ENDPOINTS = List.of("quarkus.otel.exporter.otlp.endpoint",
            "quarkus.otel.exporter.otlp.traces.endpoint");
    /**
     * Above the defaults Quarkus records at build time, below {@code application.properties} (250),
     * environment variables (300) and system properties (400).
     */
    static final int ORDINAL = 110;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        boolean endpoint = ENDPOINTS.stream().map(context::getValue).anyMatch(TracingSwitch::isSet);
        return List.of(new MapBackedConfigSource("broker tracing switch (on with an OTLP endpoint)",
                Map.of(SDK_DISABLED, Boolean.toString(!endpoint)), ORDINAL) {
        });
    }

    /**
     * Whether someone configured the endpoint: a source that outranks this one (a file, the environment,
     * a system property). Quarkus registers {@code http://localhost:4317/} as a default value far below.
     */
    private static boolean isSet(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank()
                && value.getConfigSourceOrdinal() > ORDINAL;
    }
}
