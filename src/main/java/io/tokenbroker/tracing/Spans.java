package io.tokenbroker.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.function.Supplier;

/**
 * The broker's own spans, or none at all: while tracing is off ({@link TracingSwitch}) every method
 * runs the work it is given and nothing else, so the hot paths pay for a branch, not for a no-op
 * tracer's builders. Attributes name clients, generations and outcomes; never a token, a secret, an
 * API key or a query string. A failure is recorded by its type alone, since the broker's exception
 * messages are written for logs, not for every system a trace is exported to.
 */
public final class Spans {

    public static final AttributeKey<String> CLIENT = AttributeKey.stringKey("broker.client");
    public static final AttributeKey<Long> GENERATION = AttributeKey.longKey("broker.token.generation");
    public static final AttributeKey<Boolean> SAVED = AttributeKey.booleanKey("broker.token.saved");
    public static final AttributeKey<Boolean> FORCED = AttributeKey.booleanKey("broker.acquisition.forced");
    public static final AttributeKey<Boolean> GRANTED = AttributeKey.booleanKey("broker.lock.granted");
    public static final AttributeKey<Boolean> WRITTEN = AttributeKey.booleanKey("broker.store.written");
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("broker.outcome");
    public static final AttributeKey<Boolean> RETRIED = AttributeKey.booleanKey("broker.retried");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private static final Spans OFF = new Spans(null, null);

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    private Spans(Tracer tracer, TextMapPropagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** No spans: what the broker uses while tracing is off, and tests that do not look at traces. */
    public static Spans off() {
        return OFF;
    }

    /** Spans of {@code openTelemetry}'s tracer, propagated with its propagators. */
    public static Spans of(OpenTelemetry openTelemetry) {
        return new Spans(openTelemetry.getTracer("io.tokenbroker"),
                openTelemetry.getPropagators().getTextMapPropagator());
    }

    public boolean on() {
        return tracer != null;
    }

    /**
     * Runs {@code work} in a span that is a child of the current one and current while it runs, so the
     * work can add to it through {@link Span#current()} and its log lines carry its ids.
     */
    public <T> T within(String name, SpanKind kind, String client, Supplier<T> work) {
        if (tracer == null) {
            return work.get();
        }
        return run(tracer.spanBuilder(name).setSpanKind(kind), client, work);
    }

    /**
     * Runs {@code work} as the root of a trace of its own: work shared by several requests (one
     * acquisition for all the callers waiting) or started by none (refreshes ahead of expiry).
     */
    public <T> T inNewTrace(String name, String client, Supplier<T> work) {
        if (tracer == null) {
            return work.get();
        }
        return run(tracer.spanBuilder(name).setNoParent(), client, work);
    }

    /** A started span under {@code parent}, to be ended by the caller; the invalid span while tracing is off. */
    public Span start(String name, SpanKind kind, Context parent, String client) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).setAttribute(CLIENT, client).startSpan();
    }

    /**
     * The context a request arrived in: the current one when Quarkus traces requests, otherwise the
     * one its headers name ({@code traceparent}), or none.
     */
    public <C> Context arrivedIn(C carrier, TextMapGetter<C> getter) {
        Context current = Context.current();
        if (tracer == null || Span.fromContext(current).getSpanContext().isValid()) {
            return current;
        }
        return propagator.extract(current, carrier, getter);
    }

    /** Writes {@code span}'s context ({@code traceparent}, with the configured propagators) into {@code carrier}. */
    public <C> void inject(Context parent, Span span, C carrier, TextMapSetter<C> setter) {
        if (tracer != null && span.getSpanContext().isValid()) {
            propagator.inject(parent.with(span), carrier, setter);
        }
    }

    /** Marks {@code span} failed by {@code failure}'s type. */
    public static void failed(Span span, Throwable failure) {
        span.setAttribute(ERROR_TYPE, failure.getClass().getSimpleName());
        span.setStatus(StatusCode.ERROR);
    }

    private static <T> T run(SpanBuilder builder, String client, Supplier<T> work) {
        Span span = builder.setAttribute(CLIENT, client).startSpan();
        try (Scope scope = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error failure) {
            failed(span, failure);
            throw failure;
        } finally {
            span.end();
        }
    }
}
