package io.tokenbroker.tracing;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Every span the broker under test ends, kept in memory. A {@code SpanExporter} bean takes the OTLP
 * exporter's place, so a test that turns tracing on with an endpoint exports nothing over the network.
 * While tracing is off (every test but {@link TracesTest}) nothing reaches it.
 */
@Singleton
class ExportedSpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
