package io.tokenbroker.tracing;

import io.opentelemetry.api.OpenTelemetry;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The broker's {@link Spans}: none while the OpenTelemetry SDK is disabled. Quarkus then has no tracer
 * on Vert.x either, so the broker's requests carry no tracing work at all.
 */
@Singleton
class SpansProducer {

    @Produces
    @Singleton
    Spans spans(@ConfigProperty(name = TracingSwitch.SDK_DISABLED) boolean disabled,
            Instance<OpenTelemetry> openTelemetry) {
        return disabled ? Spans.off() : Spans.of(openTelemetry.get());
    }
}
