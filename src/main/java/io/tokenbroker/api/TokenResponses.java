package io.tokenbroker.api;

import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.store.TokenRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Turns a token record into the contract's answer: JSON or the bare token, with a
 * {@code Cache-Control} lifetime that sends callers back when the broker starts refreshing.
 */
@ApplicationScoped
class TokenResponses {

    private final Clock clock;
    private final Duration refreshAhead;
    private final BrokerMetrics metrics;

    TokenResponses(Clock clock, BrokerConfig config, BrokerMetrics metrics) {
        this.clock = clock;
        this.refreshAhead = config.token().refreshAhead();
        this.metrics = metrics;
    }

    Response json(String client, TokenRecord record) {
        metrics.tokenServed(client);
        Instant now = clock.instant();
        long expiresIn = expiresIn(record, now);
        TokenResponse body = new TokenResponse(client, record.token(),
                record.expiresAt().truncatedTo(ChronoUnit.SECONDS).toString(), expiresIn);
        return Response.ok(body, MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, cacheControl(record, now, expiresIn))
                .build();
    }

    Response text(String client, TokenRecord record) {
        metrics.tokenServed(client);
        Instant now = clock.instant();
        return Response.ok(record.token(), MediaType.TEXT_PLAIN_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, cacheControl(record, now, expiresIn(record, now)))
                .build();
    }

    private static long expiresIn(TokenRecord record, Instant now) {
        return Math.max(1, record.remainingAt(now).toSeconds());
    }

    /** {@code max-age} runs to the start of the refresh-ahead window, and never past expiresIn. */
    private String cacheControl(TokenRecord record, Instant now, long expiresIn) {
        long untilRefresh = record.remainingAt(now).minus(refreshAhead).toSeconds();
        long maxAge = Math.max(1, Math.min(expiresIn, untilRefresh));
        return "private, max-age=" + maxAge;
    }
}
