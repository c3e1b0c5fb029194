package io.tokenbroker.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.platform.CredentialsRejectedException;
import io.tokenbroker.platform.PlatformException;
import io.tokenbroker.platform.PlatformUnavailableException;
import io.tokenbroker.security.AuditTrail;
import io.tokenbroker.security.CallerAuthenticationFilter;
import io.tokenbroker.security.ClientNotAllowedException;
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
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where failures become HTTP answers: {@code application/problem+json} bodies written
 * by the broker, never an exception's class or message from elsewhere, a secret or a token.
 */
class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    private static final String TYPE_PREFIX = "urn:token-broker:problem:";

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
        audit.denied(null, null, 401, TokenResource.remote(http));
        metrics.tokenRequestFailed(BrokerMetrics.NO_CLIENT, 401);
        return problem(401, "unauthenticated", "Unauthorized", e.getMessage())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .build();
    }

    @ServerExceptionMapper
    Response forbidden(ClientNotAllowedException e, HttpServerRequest http) {
        audit.denied(e.caller(), e.client(), 403, TokenResource.remote(http));
        return clientError(403, "client-not-allowed", "Forbidden", e);
    }

    @ServerExceptionMapper
    Response unknownClient(UnknownClientException e) {
        return clientError(404, "unknown-client", "Unknown client", e);
    }

    @ServerExceptionMapper
    Response invalidClientName(InvalidClientNameException e) {
        return clientError(400, "invalid-client-name", "Invalid client name", e);
    }

    @ServerExceptionMapper
    Response invalidRequest(InvalidRequestException e) {
        return clientError(400, "invalid-request", "Invalid request", e);
    }

    @ServerExceptionMapper
    Response unreadableBody(JsonProcessingException e) {
        metrics.tokenRequestFailed(BrokerMetrics.NO_CLIENT, 400);
        // The parser's message quotes the body, which may hold a token: never pass it on.
        LOG.debug("HTTP 400: unreadable JSON body");
        return problem(400, "invalid-request", "Invalid request",
                "the body must be {\"rejectedToken\":\"<the token the platform refused>\"}").build();
    }

    @ServerExceptionMapper
    Response mistypedBody(MismatchedInputException e) {
        // Quarkus has its own mapper for this subtype; this one keeps the answer problem+json.
        return unreadableBody(e);
    }

    @ServerExceptionMapper
    Response refreshTooSoon(RefreshTooSoonException e, ContainerRequestContext request, HttpServerRequest http) {
        audit.denied(CallerAuthenticationFilter.callerOf(request), null, 429, TokenResource.remote(http));
        metrics.tokenRequestFailed(BrokerMetrics.NO_CLIENT, 429);
        LOG.infof("HTTP 429: %s", e.getMessage());
        long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
        return problem(429, "refresh-too-soon", "Too many forced refreshes", e.getMessage())
                .header(HttpHeaders.RETRY_AFTER, seconds).build();
    }

    @ServerExceptionMapper
    Response platformFailed(PlatformException e) {
        metrics.tokenRequestFailed(e.client(), e instanceof PlatformUnavailableException ? 503 : 502);
        LOG.errorf("Client %s: no token: %s", e.client(), e.getMessage());
        if (e instanceof PlatformUnavailableException unavailable) {
            return unavailable("platform-unavailable", "The platform is unavailable", e.getMessage(),
                    unavailable.retryAfter());
        }
        if (e instanceof CredentialsRejectedException) {
            return problem(502, "credentials-rejected", "The platform rejected the credentials", e.getMessage())
                    .build();
        }
        return problem(502, "platform-bad-answer", "The platform answered nonsense", e.getMessage()).build();
    }

    @ServerExceptionMapper
    Response tokenUnavailable(TokenUnavailableException e) {
        metrics.tokenRequestFailed(BrokerMetrics.NO_CLIENT, 503);
        LOG.errorf("No token: %s", e.getMessage());
        return unavailable("token-unavailable", "No token is available", e.getMessage(), e.retryAfter());
    }

    @ServerExceptionMapper
    Response httpError(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "HTTP " + status : type.getReasonPhrase();
        LOG.debugf("HTTP %d: %s", status, title);
        return problem(status, "http-" + status, title, "the request cannot be served as sent").build();
    }

    @ServerExceptionMapper
    Response wrapped(CompletionException e, ContainerRequestContext request, HttpServerRequest http) {
        return e.getCause() instanceof RuntimeException cause ? redispatch(cause, request, http) : unexpected(e);
    }

    @ServerExceptionMapper(priority = Integer.MAX_VALUE)
    Response unexpected(Throwable e) {
        LOG.error("Unexpected failure", e);
        return problem(500, "internal-error", "Internal error", "the broker failed unexpectedly").build();
    }

    private Response redispatch(RuntimeException cause, ContainerRequestContext request, HttpServerRequest http) {
        if (cause instanceof PlatformException e) {
            return platformFailed(e);
        }
        if (cause instanceof TokenUnavailableException e) {
            return tokenUnavailable(e);
        }
        if (cause instanceof UnknownClientException e) {
            return unknownClient(e);
        }
        if (cause instanceof RefreshTooSoonException e) {
            return refreshTooSoon(e, request, http);
        }
        return unexpected(cause);
    }

    private Response clientError(int status, String type, String title, RuntimeException e) {
        metrics.tokenRequestFailed(BrokerMetrics.NO_CLIENT, status);
        LOG.debugf("HTTP %d: %s", status, e.getMessage());
        return problem(status, type, title, e.getMessage()).build();
    }

    private Response unavailable(String type, String title, String detail, Duration retryAfter) {
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return problem(503, type, title, detail).header(HttpHeaders.RETRY_AFTER, seconds).build();
    }

    private Response.ResponseBuilder problem(int status, String type, String title, String detail) {
        ProblemDetail body = new ProblemDetail(TYPE_PREFIX + type, title, status, detail);
        try {
            return Response.status(status).type(ProblemDetail.MEDIA_TYPE).entity(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a problem body", e);
        }
    }
}
