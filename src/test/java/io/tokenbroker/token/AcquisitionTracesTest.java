package io.tokenbroker.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.testing.BrokerConfigs;
import io.tokenbroker.testing.MutableClock;
import io.tokenbroker.tracing.Spans;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The spans of an acquisition, on the in-memory store with a real tracer and an in-memory exporter:
 * one trace per acquisition, the lock and the store write inside it, failures by type, and never a
 * token. (The platform call's span is proven against the platform stand-in, in {@code TracesTest}.)
 */
class AcquisitionTracesTest {

    private static final String CLIENT = "default";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final ScriptedIssuer platform = new ScriptedIssuer(clock);
    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final SdkTracerProvider tracing = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
    private SwitchableStore store;
    private TokenBroker broker;

    private void start(Map<String, String> overrides) {
        start(overrides, Spans.of(OpenTelemetrySdk.builder().setTracerProvider(tracing).build()));
    }

    private void start(Map<String, String> overrides, Spans spans) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "broker.clients.default.base-url", "https://platform.example",
                "broker.clients.default.client-id", "app",
                "broker.clients.default.secret", "s3cret",
                "broker.lock.wait-timeout", "1s",
                "broker.callers.alice.clients", "*"));
        properties.putAll(overrides);
        BrokerConfig config = BrokerConfigs.of(properties);
        BrokerMetrics metrics = new BrokerMetrics(new SimpleMeterRegistry(), clock);
        store = new SwitchableStore(config.lock().lease(), clock);
        TokenAcquirer acquirer = new TokenAcquirer(store, platform, clock, clock, config, metrics, spans);
        broker = new TokenBroker(config, acquirer, store, platform, clock, clock, metrics, spans, PeerRecords.NONE);
    }

    @AfterEach
    void closeTracing() {
        tracing.close();
    }

    @Test
    void anAcquisitionIsATraceOfItsOwnWithItsLockAndStoreWriteInside() {
        start(Map.of());

        TokenRecord token = join(broker.currentToken(CLIENT).subscribeAsCompletionStage());

        SpanData acquisition = only("token acquisition");
        assertThat(acquisition.getParentSpanContext().isValid()).as("a root span").isFalse();
        assertThat(acquisition.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(acquisition.getAttributes().get(Spans.CLIENT)).isEqualTo(CLIENT);
        assertThat(acquisition.getAttributes().get(Spans.GENERATION)).isEqualTo(token.generation());
        assertThat(acquisition.getAttributes().get(Spans.SAVED)).isTrue();
        assertThat(acquisition.getAttributes().get(Spans.FORCED)).isFalse();
        SpanData lock = only("token lock");
        SpanData write = only("token store write");
        assertThat(List.of(lock, write)).allSatisfy(child -> {
            assertThat(child.getTraceId()).isEqualTo(acquisition.getTraceId());
            assertThat(child.getParentSpanId()).isEqualTo(acquisition.getSpanId());
            assertThat(child.getKind()).isEqualTo(SpanKind.INTERNAL);
        });
        assertThat(lock.getAttributes().get(Spans.GRANTED)).isTrue();
        assertThat(write.getAttributes().get(Spans.WRITTEN)).isTrue();
        assertThat(write.getAttributes().get(Spans.GENERATION)).isEqualTo(token.generation());
        assertNoTokenIn(exported.getFinishedSpanItems(), token.token());
    }

    @Test
    void aForcedRefreshIsAnAcquisitionMarkedForced() {
        start(Map.of());
        TokenRecord first = join(broker.currentToken(CLIENT).subscribeAsCompletionStage());
        exported.reset();

        TokenRecord second = join(broker.replaceRejected(CLIENT, first.token(), "alice").subscribeAsCompletionStage());

        SpanData acquisition = only("token acquisition");
        assertThat(acquisition.getAttributes().get(Spans.FORCED)).isTrue();
        assertThat(acquisition.getAttributes().get(Spans.GENERATION)).isEqualTo(second.generation());
        assertNoTokenIn(exported.getFinishedSpanItems(), first.token(), second.token());
    }

    @Test
    void aFailedAcquisitionIsMarkedFailedByTheFailuresTypeWithoutItsMessage() {
        start(Map.of("broker.redis-outage", "fail"));
        store.down(true);

        assertThatThrownBy(() -> join(broker.currentToken(CLIENT).subscribeAsCompletionStage()))
                .hasCauseInstanceOf(TokenUnavailableException.class);

        SpanData acquisition = only("token acquisition");
        assertThat(acquisition.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(acquisition.getAttributes().get(Spans.ERROR_TYPE)).isEqualTo("TokenUnavailableException");
        assertThat(exported.getFinishedSpanItems()).allSatisfy(span -> {
            assertThat(span.getEvents()).as("no exception events, which carry messages").isEmpty();
            assertThat(span.getStatus().getDescription()).isEmpty();
        });
    }

    @Test
    void withTracingOffAnAcquisitionMakesNoSpan() {
        start(Map.of(), Spans.off());

        join(broker.currentToken(CLIENT).subscribeAsCompletionStage());

        assertThat(platform.calls()).isEqualTo(1);
        assertThat(exported.getFinishedSpanItems()).isEmpty();
    }

    private SpanData only(String name) {
        List<SpanData> named = exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named '%s'", name).hasSize(1);
        return named.get(0);
    }

    private static void assertNoTokenIn(List<SpanData> spans, String... tokens) {
        assertThat(spans).allSatisfy(span -> assertThat(span.getAttributes().asMap().values())
                .allSatisfy(value -> assertThat(String.valueOf(value)).doesNotContain(tokens)));
    }

    private static TokenRecord join(CompletableFuture<TokenRecord> future) {
        return future.orTimeout(5, TimeUnit.SECONDS).join();
    }
}
