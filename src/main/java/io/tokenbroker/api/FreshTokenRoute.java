package io.tokenbroker.api;

import io.tokenbroker.security.AuditTrail;
import io.tokenbroker.security.Caller;
import io.tokenbroker.security.CallerRegistry;
import io.tokenbroker.security.ClientAccess;
import io.tokenbroker.token.TokenBroker;
import io.tokenbroker.token.TokenRecord;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code GET /token} as nearly every caller sends it, answered on the I/O thread ahead of Quarkus REST:
 * a known API key (or a ServiceAccount token verified before), a client the caller may read, JSON or
 * the bare token, and a fresh token in memory. It gives the answer {@link TokenResource} would give,
 * without a per-request REST context, filters and parameter injection. Any other request (one that
 * ends in an error, waits for a token or needs negotiating) goes on to {@link TokenResource}
 * unchanged, so there is still one place that decides errors.
 */
@Singleton
class FreshTokenRoute {

    private static final String PATH = "/token";
    /**
     * Before {@link RequestBodyLimit} (which has nothing to check in the bodiless requests answered
     * here) and Quarkus REST.
     */
    private static final int ORDER = -110;

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
        router.get(PATH).order(ORDER).handler(this::serve);
    }

    private void serve(RoutingContext context) {
        HttpServerRequest request = context.request();
        Caller caller = usual(request) ? callers.recognise(request.getHeader(HttpHeaders.AUTHORIZATION)) : null;
        String client = caller == null ? null : requestedClient(caller, request);
        TokenRecord fresh = client == null ? null : broker.servableNow(client);
        if (fresh == null) {
            context.next();
            return;
        }
        audit.handedOut(caller, client, fresh, Peers.remote(request));
        boolean json = ContentNegotiation.acceptsJson(request.getHeader(HttpHeaders.ACCEPT));
        responses.send(client, caller.name(), fresh, json, request.response());
    }

    /**
     * Whether the request is one the route may answer: exactly {@code /token} (Vert.x would also match
     * {@code /token/}), one {@code Authorization} header, at most one {@code Accept} header taking JSON or
     * the bare token, and no body. Repeated headers are left to Quarkus REST, which joins their values.
     */
    private static boolean usual(HttpServerRequest request) {
        MultiMap headers = request.headers();
        if (!PATH.equals(request.path()) || RequestBodies.hasBody(headers)) {
            return false;
        }
        List<String> accept = headers.getAll(HttpHeaders.ACCEPT);
        return headers.getAll(HttpHeaders.AUTHORIZATION).size() == 1 && accept.size() <= 1
                && (accept.isEmpty() || ContentNegotiation.acceptsJson(accept.get(0))
                        || accept.get(0).equals(MediaType.TEXT_PLAIN));
    }

    /** The client asked for, if the caller may read it; null otherwise. */
    private String requestedClient(Caller caller, HttpServerRequest request) {
        return access.readableClient(caller, request.query() == null ? null : request.getParam(TokenResource.CLIENT));
    }
}
