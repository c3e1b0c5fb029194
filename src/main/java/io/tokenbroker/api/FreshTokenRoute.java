package io.tokenbroker.api;

import io.tokenbroker.security.AuditTrail;
import io.tokenbroker.security.Caller;
import io.tokenbroker.security.CallerRegistry;
import io.tokenbroker.security.ClientAccess;
import io.tokenbroker.store.TokenRecord;
import io.tokenbroker.token.TokenBroker;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /token} as nearly every caller sends it, answered on the I/O thread ahead of Quarkus REST:
 * a known API key (or a ServiceAccount token verified before), a client the caller may read, JSON or
 * the bare token, and a fresh token in memory. It gives the same answer as {@link TokenResource},
 * without a per-request REST context, filters and parameter injection. Any other request (one that
 * ends in an error, waits for a token or needs negotiating) goes on to {@link TokenResource}
 * unchanged, so there is still one place that decides errors.
 */
@Singleton
class FreshTokenRoute {

    /** After {@link RequestBodyLimit}, before Quarkus REST. */
    private static final int ORDER = -90;

    private final CallerRegistry callers;
    private final ClientAccess access;
    private final TokenBroker broker;
    private final TokenResponses responses;
    private final AuditTrail audit;

    FreshTokenRoute(CallerRegistry callers, ClientAccess access, TokenBroker broker, TokenResponses responses,
            AuditTrail audit) {
        this.callers = callers;
        this.access = access;
        this.broker = broker;
        this.responses = responses;
        this.audit = audit;
    }

    void install(@Observes Router router) {
        router.get("/token").order(ORDER).handler(this::serve);
    }

    private void serve(RoutingContext context) {
        HttpServerRequest request = context.request();
        MultiMap headers = request.headers();
        String accept = headers.get(HttpHeaders.ACCEPT);
        boolean json = accept == null || accept.equals("*/*") || accept.equals(MediaType.APPLICATION_JSON);
        boolean simple = (json || accept.equals(MediaType.TEXT_PLAIN)) && !hasBody(headers);
        Caller caller = simple ? callers.recognise(headers.get(HttpHeaders.AUTHORIZATION)) : null;
        String client = caller == null ? null
                : access.readable(caller, request.query() == null ? null : request.getParam(TokenResource.CLIENT));
        TokenRecord fresh = client == null ? null : broker.servableNow(client);
        if (fresh == null) {
            context.next();
            return;
        }
        audit.handedOut(caller, client, fresh, TokenResource.remote(request));
        responses.send(client, fresh, json, request.response());
    }

    /** A GET with a body is left to Quarkus REST, which reads (or refuses) it before answering. */
    private static boolean hasBody(MultiMap headers) {
        return headers.contains(HttpHeaders.CONTENT_LENGTH) || headers.contains(HttpHeaders.TRANSFER_ENCODING);
    }
}
