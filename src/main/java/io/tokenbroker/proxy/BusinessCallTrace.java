package io.tokenbroker.proxy;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.tokenbroker.tracing.Spans;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

/**
 * The span of one business call, from the token's look-up to the end of the answer: a client span
 * under the caller's request, with the client, method, platform path (never the query, which is the
 * caller's data), the status the caller got, the outcome as the metrics count it, and whether the
 * call was sent again with a new token. Both requests of a retried call carry a {@code traceparent}
 * naming this span, which replaces the caller's: the platform's work then shows in the caller's
 * trace, below the broker. While tracing is off every call is {@link #NONE}, which does nothing.
 */
final class BusinessCallTrace {

    static final BusinessCallTrace NONE = new BusinessCallTrace(null, null, Span.getInvalid());

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final TextMapSetter<MultiMap> HEADERS = (headers, name, value) -> headers.set(name, value);
    private static final TextMapGetter<MultiMap> CALLER_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap headers) {
            return headers.names();
        }

        @Override
        public String get(MultiMap headers, String name) {
            return headers == null ? null : headers.get(name);
        }
    };

    private final Spans spans;
    private final Context parent;
    private final Span span;

    private BusinessCallTrace(Spans spans, Context parent, Span span) {
        this.spans = spans;
        this.parent = parent;
        this.span = span;
    }

    /**
     * Starts the span of a call taken in on the current Vert.x context: in the caller's trace, under the
     * span of its request or, as requests are not traced by Quarkus, the caller's span its
     * {@code traceparent} names.
     */
    static BusinessCallTrace start(Spans spans, String client, HttpMethod method, String platformPath,
            MultiMap callerHeaders) {
        if (!spans.on()) {
            return NONE;
        }
        Context parent = spans.arrivedIn(callerHeaders, CALLER_HEADERS);
        Span span = spans.start("business call " + method.name(), SpanKind.CLIENT, parent, client);
        span.setAttribute(METHOD, method.name()).setAttribute(PATH, platformPath);
        return new BusinessCallTrace(spans, parent, span);
    }

    /** Names this call's span in the headers of a request about to be sent to the platform. */
    void sending(MultiMap headers) {
        if (spans != null) {
            spans.inject(parent, span, headers, HEADERS);
        }
    }

    /**
     * Ends the span.
     *
     * @param status the status the caller received, 0 when none was (the connection was cut)
     */
    void finished(String outcome, int status, boolean retried) {
        if (spans == null) {
            return;
        }
        span.setAttribute(Spans.OUTCOME, outcome).setAttribute(Spans.RETRIED, retried);
        if (status > 0) {
            span.setAttribute(STATUS, status);
        }
        // A client span's conventions: an answer of 4xx or 5xx, or none, is an error.
        if (status == 0 || status >= 400) {
            span.setAttribute(Spans.ERROR_TYPE, status == 0 ? outcome : Integer.toString(status));
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }
}
