package io.tokenbroker.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.platform.PlatformException;
import io.tokenbroker.security.AccessDeniedException;
import io.tokenbroker.security.AuditTrail;
import io.tokenbroker.security.Caller;
import io.tokenbroker.security.CallerAuthenticationFilter;
import io.tokenbroker.security.InvalidClientNameException;
import io.tokenbroker.security.NotAuthenticatedException;
import io.tokenbroker.token.RefreshTooSoonException;
import io.tokenbroker.token.TokenUnavailableException;
import io.tokenbroker.token.UnknownClientException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where failures become HTTP answers: {@code application/problem+json} bodies written
 * by the broker, never an exception's class or message from elsewhere, a secret or a token.
 */
class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private final ObjectMapper json;
    private final BrokerMetrics metrics;
    private final AuditTrail audit;

    ProblemMapper(ObjectMapper json, BrokerMetrics metrics, AuditTrail audit) {
        this.json = json;
        this.metrics = metrics;
        this.audit = audit;
    }

    @ServerExceptionMapper
    Response unauthenticated(NotAuthenticatedException e, HttpServerRequest http) {
        audit.denied(null, null, 401, Peers.remote(http));
        metrics.tokenRequestFailed(BrokerMetrics.NO_CLIENT, BrokerMetrics.NO_CALLER, 401);
        return answer(Problem.of(e)).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    Response forbidden(AccessDeniedException e, ContainerRequestContext request, HttpServerRequest http) {
        audit.denied(e.caller(), e.client(), 403, Peers.remote(http));
        return clientError(e, e.client() == null ? BrokerMetrics.NO_CLIENT : e.client(), request);
    }

    @ServerExceptionMapper
    Response unknownClient(UnknownClientException e, ContainerRequestContext request) {
        return clientError(e, TokenResource.clientOf(request), request);
    }

    @ServerExceptionMapper
    Response invalidClientName(InvalidClientNameException e, ContainerRequestContext request) {
        return clientError(e, TokenResource.clientOf(request), request);
    }

    @ServerExceptionMapper
    Response invalidRequest(InvalidRequestException e, ContainerRequestContext request) {
        return clientError(e, TokenResource.clientOf(request), request);
    }

    @ServerExceptionMapper
    Response unreadableBody(JsonProcessingException e, ContainerRequestContext request) {
        metrics.tokenRequestFailed(TokenResource.clientOf(request), callerName(request), 400);
        // The parser's message quotes the body, which may hold a token: only its position is passed on.
        LOG.debug("HTTP 400: unreadable JSON body");
        return problem(400, "invalid-request", "Invalid request", HttpErrors.unreadableJson(e)).build();
    }

    @ServerExceptionMapper
    Response mistypedBody(MismatchedInputException e, ContainerRequestContext request) {
        // Quarkus has its own mapper for this subtype; this one keeps the answer problem+json.
        return unreadableBody(e, request);
    }

    @ServerExceptionMapper
    Response refreshTooSoon(RefreshTooSoonException e, ContainerRequestContext request, HttpServerRequest http) {
        String client = TokenResource.clientOf(request);
        audit.denied(CallerAuthenticationFilter.callerOf(request), client.equals(BrokerMetrics.NO_CLIENT) ? null : client,
                429, Peers.remote(http));
        metrics.tokenRequestFailed(client, callerName(request), 429);
        LOG.infof("HTTP 429: %s", e.getMessage());
        return answer(Problem.of(e)).build();
    }

    @ServerExceptionMapper
    Response platformFailed(PlatformException e, ContainerRequestContext request) {
        Problem problem = Problem.of(e);
        metrics.tokenRequestFailed(e.client(), callerName(request), problem.status());
        LOG.errorf("Client %s: no token: %s", e.client(), e.getMessage());
        return answer(problem).build();
    }

    @ServerExceptionMapper
    Response tokenUnavailable(TokenUnavailableException e, ContainerRequestContext request) {
        metrics.tokenRequestFailed(TokenResource.clientOf(request), callerName(request), 503);
        LOG.errorf("No token: %s", e.getMessage());
        return answer(Problem.of(e)).build();
    }

    @ServerExceptionMapper
    Response httpError(WebApplicationException e, ContainerRequestContext request) {
        int status = e.getResponse().getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "HTTP " + status : type.getReasonPhrase();
        LOG.debugf("HTTP %d: %s", status, title);
        metrics.tokenRequestFailed(BrokerMetrics.NO_CLIENT, callerName(request), status);
        Response.ResponseBuilder answer = problem(status, "http-" + status, title, HttpErrors.detail(e, request));
        String allowed = HttpErrors.allowed(e, request);
        return allowed == null ? answer.build() : answer.header(HttpHeaders.ALLOW, allowed).build();
    }

    @ServerExceptionMapper
    Response wrapped(CompletionException e, ContainerRequestContext request, HttpServerRequest http) {
        return e.getCause() instanceof RuntimeException cause ? redispatch(cause, request, http) : unexpected(e);
    }

    @ServerExceptionMapper(priority = Integer.MAX_VALUE)
    Response unexpected(Throwable e) {
        return answer(Problem.orInternalError(e, LOG)).build();
    }

    private Response redispatch(RuntimeException cause, ContainerRequestContext request, HttpServerRequest http) {
        if (cause instanceof PlatformException e) {
            return platformFailed(e, request);
        }
        if (cause instanceof TokenUnavailableException e) {
            return tokenUnavailable(e, request);
        }
        if (cause instanceof UnknownClientException e) {
            return unknownClient(e, request);
        }
        if (cause instanceof RefreshTooSoonException e) {
            return refreshTooSoon(e, request, http);
        }
        return unexpected(cause);
    }

    /** A 4xx about the request itself, counted under {@code client} (a configured one, or {@code none}). */
    private Response clientError(RuntimeException e, String client, ContainerRequestContext request) {
        Problem problem = Problem.of(e);
        metrics.tokenRequestFailed(client, callerName(request), problem.status());
        LOG.debugf("HTTP %d: %s", problem.status(), e.getMessage());
        return answer(problem).build();
    }

    /** The {@code caller} label: the authenticated caller's configured name, else {@code none}. */
    private static String callerName(ContainerRequestContext request) {
        Caller caller = CallerAuthenticationFilter.callerOf(request);
        return caller == null ? BrokerMetrics.NO_CALLER : caller.name();
    }

    private Response.ResponseBuilder answer(Problem problem) {
        Response.ResponseBuilder answer = problem(problem.status(), problem.type(), problem.title(), problem.detail());
        return problem.retryAfter() == null ? answer : answer.header(HttpHeaders.RETRY_AFTER, problem.retryAfterSeconds());
    }

    private Response.ResponseBuilder problem(int status, String type, String title, String detail) {
        ProblemDetail body = new Problem(status, type, title, detail).body();
        try {
            return Response.status(status).type(ProblemDetail.MEDIA_TYPE).entity(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a problem body", e);
        }
    }
}
