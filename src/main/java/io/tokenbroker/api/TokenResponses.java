package io.tokenbroker.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.token.TokenRecord;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a token record into the contract's answer: JSON or the bare token, with a
 * {@code Cache-Control} lifetime that sends callers back when the broker starts refreshing. The
 * answer changes only when the token or the whole second of {@code expiresIn} does, so it is
 * serialized then and its bytes are served to every request in between.
 */
@ApplicationScoped
class TokenResponses {

    // Header names and values encoded once (Netty's AsciiString), with the values Quarkus REST sends.
    private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized(jakarta.ws.rs.core.HttpHeaders.CACHE_CONTROL);
    private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("Content-Type");
    private static final CharSequence JSON_TYPE = HttpHeaders.createOptimized("application/json;charset=UTF-8");
    private static final CharSequence TEXT_TYPE = HttpHeaders.createOptimized("text/plain;charset=UTF-8");

    /**
     * One client's answer for one token and one value of {@code expiresIn}; the buffers hold the same
     * bytes for Vert.x, which writes a slice of a buffer, so one buffer serves every request.
     */
    private record Rendered(TokenRecord record, long expiresIn, byte[] json, byte[] text, String cacheControl,
            Buffer jsonBuffer, Buffer textBuffer) {

        Rendered(TokenRecord record, long expiresIn, byte[] json, byte[] text, String cacheControl) {
            this(record, expiresIn, json, text, cacheControl, Buffer.buffer(json), Buffer.buffer(text));
        }
    }

    private final Clock clock;
    private final long refreshAheadMillis;
    private final ObjectMapper mapper;
    private final BrokerMetrics metrics;
    private final Map<String, Rendered> rendered = new ConcurrentHashMap<>();

    TokenResponses(Clock clock, BrokerConfig config, ObjectMapper mapper, BrokerMetrics metrics) {
        this.clock = clock;
        this.refreshAheadMillis = config.token().refreshAhead().toMillis();
        this.mapper = mapper;
        this.metrics = metrics;
    }

    /** The JSON answer as a JAX-RS response, for {@code POST /token/refresh} by {@code caller}. */
    Response json(String client, String caller, TokenRecord record) {
        metrics.tokenServed(client, caller);
        Rendered answer = rendered(client, record);
        return Response.ok(answer.json(), MediaType.APPLICATION_JSON_TYPE)
                .header(jakarta.ws.rs.core.HttpHeaders.CACHE_CONTROL, answer.cacheControl())
                .build();
    }

    /**
     * The hot path's answer: the pre-rendered body, with {@code Cache-Control} put on the HTTP response
     * itself; a JAX-RS {@code Response} would build a header map and media types on every request.
     */
    byte[] handOut(String client, String caller, TokenRecord record, boolean json, HttpServerResponse response) {
        metrics.tokenServed(client, caller);
        Rendered answer = rendered(client, record);
        response.putHeader(CACHE_CONTROL, answer.cacheControl());
        return json ? answer.json() : answer.text();
    }

    /** The same answer as {@link #handOut}, written and ended on the HTTP response directly. */
    void send(String client, String caller, TokenRecord record, boolean json, HttpServerResponse response) {
        metrics.tokenServed(client, caller);
        Rendered answer = rendered(client, record);
        response.putHeader(CACHE_CONTROL, answer.cacheControl())
                .putHeader(CONTENT_TYPE, json ? JSON_TYPE : TEXT_TYPE)
                .end(json ? answer.jsonBuffer() : answer.textBuffer());
    }

    private Rendered rendered(String client, TokenRecord record) {
        long remainingMillis = record.expiresAt().toEpochMilli() - clock.millis();
        long expiresIn = Math.max(1, remainingMillis / 1000);
        Rendered known = rendered.get(client);
        if (known != null && known.record() == record && known.expiresIn() == expiresIn) {
            return known;
        }
        Rendered fresh = render(client, record, expiresIn, remainingMillis);
        rendered.put(client, fresh);
        return fresh;
    }

    private Rendered render(String client, TokenRecord record, long expiresIn, long remainingMillis) {
        TokenResponse body = new TokenResponse(client, record.token(),
                record.expiresAt().truncatedTo(ChronoUnit.SECONDS).toString(), expiresIn);
        try {
            return new Rendered(record, expiresIn, mapper.writeValueAsBytes(body),
                    record.token().getBytes(StandardCharsets.UTF_8), cacheControl(expiresIn, remainingMillis));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a token answer", e);
        }
    }

    /** {@code max-age} runs to the start of the refresh-ahead window, and never past expiresIn. */
    private String cacheControl(long expiresIn, long remainingMillis) {
        long untilRefresh = (remainingMillis - refreshAheadMillis) / 1000;
        long maxAge = Math.max(1, Math.min(expiresIn, untilRefresh));
        return "private, max-age=" + maxAge;
    }
}
