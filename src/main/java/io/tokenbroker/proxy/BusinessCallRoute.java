package io.tokenbroker.proxy;

import io.tokenbroker.api.Problem;
import io.tokenbroker.api.ProblemResponder;
import io.tokenbroker.api.RequestBodies;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.security.AuditTrail;
import io.tokenbroker.security.Caller;
import io.tokenbroker.security.CallerRegistry;
import io.tokenbroker.security.ClientAccess;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Takes in business calls, {@code /platform/CLIENT/PATH}, on the I/O thread ahead of Quarkus REST, and
 * decides whether they may go to the platform, in the contract's order: a path that could be read as
 * another (400), the caller (401), the client and the path it was granted (404, 403), the body's size
 * (413) and the client's calls in flight (503). Only then is the body read, bounded, and handed to the
 * {@link BusinessCallForwarder}. Nothing refused here reaches the platform.
 */
@Singleton
class BusinessCallRoute {

    private static final Logger LOG = Logger.getLogger(BusinessCallRoute.class);
    /** After the fast {@code GET /token} route (-110), before the {@code /token} body limit (-100) and Quarkus REST. */
    private static final int ORDER = -105;
    private static final Set<HttpMethod> METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
            HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

    private final CallerRegistry callers;
    private final ClientAccess access;
    private final CallsInFlight inFlight;
    private final BusinessCallForwarder forwarder;
    private final ProblemResponder problems;
    private final AuditTrail audit;
    private final long maxBodyBytes;

    BusinessCallRoute(BrokerConfig config, CallerRegistry callers, ClientAccess access, CallsInFlight inFlight,
            BusinessCallForwarder forwarder, ProblemResponder problems, AuditTrail audit) {
        this.callers = callers;
        this.access = access;
        this.inFlight = inFlight;
        this.forwarder = forwarder;
        this.problems = problems;
        this.audit = audit;
        this.maxBodyBytes = config.proxy().maxBodySize().asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::intake);
    }

    private void intake(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (!PlatformPath.isBusinessCall(request.path()) && !PlatformPath.isBusinessCall(context.normalizedPath())) {
            context.next();
            return;
        }
        request.pause();
        PlatformPath path;
        try {
            if (!PlatformPath.isBusinessCall(request.path())) {
                throw new InvalidPlatformPathException("a path must not have . or .. segments");
            }
            path = PlatformPath.parse(request.path());
        } catch (InvalidPlatformPathException invalid) {
            refuse(context, null, null, new Problem(400, "invalid-platform-path", "Invalid platform path",
                    invalid.getMessage()));
            return;
        }
        if (!METHODS.contains(request.method())) {
            context.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD, POST, PUT, PATCH, DELETE");
            refuse(context, null, null, new Problem(405, "method-not-allowed", "Method not allowed",
                    "business calls are GET, HEAD, POST, PUT, PATCH or DELETE"));
            return;
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        Caller known = callers.recognise(authorization);
        if (known != null) {
            authorised(context, known, path);
            return;
        }
        // Not a known key: a ServiceAccount token to verify, which may fetch the issuer's keys.
        context.vertx().<Caller>executeBlocking(() -> callers.authenticate(authorization), false)
                .onSuccess(caller -> authorised(context, caller, path))
                .onFailure(refused -> refuse(context, null, null, problemOf(refused)));
    }

    private void authorised(RoutingContext context, Caller caller, PlatformPath path) {
        try {
            access.requireCallable(caller, path.client(), path.segments());
        } catch (RuntimeException denied) {
            refuse(context, caller, null, problemOf(denied));
            return;
        }
        String client = path.client();
        long declared = RequestBodies.declaredLength(context.request().headers());
        if (declared > maxBodyBytes) {
            tooLarge(context, caller, client);
            return;
        }
        if (!inFlight.tryEnter(client)) {
            refuse(context, caller, client, new Problem(503, "too-many-calls", "Too many calls in flight",
                    "client '" + client + "' has its most business calls in flight on this replica "
                            + "(broker.clients." + client + ".max-calls-in-flight)", Duration.ofSeconds(1)));
            return;
        }
        readBody(context, caller, client, body -> forwarder.forward(new BusinessCall(context, caller, path, body,
                remote(context.request()), () -> inFlight.leave(client))));
    }

    /** Reads the body, at most {@code broker.proxy.max-body-size}; null when the request has none. */
    private void readBody(RoutingContext context, Caller caller, String client, Consumer<Buffer> then) {
        HttpServerRequest request = context.request();
        if (!RequestBodies.hasBody(request.headers())) {
            then.accept(null);
            return;
        }
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > maxBodyBytes) {
                refused[0] = true;
                inFlight.leave(client);
                tooLarge(context, caller, client);
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(failure -> {
            if (!refused[0]) {
                refused[0] = true;
                inFlight.leave(client);
                LOG.debugf("Business call of client %s: the request body could not be read", client);
            }
        });
        request.endHandler(end -> {
            if (!refused[0]) {
                then.accept(body);
            }
        });
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            context.response().writeContinue();
        }
        request.resume();
    }

    /** 413, and the connection closed rather than the rest of the body read. */
    private void tooLarge(RoutingContext context, Caller caller, String client) {
        context.response().putHeader(HttpHeaders.CONNECTION, "close")
                .endHandler(end -> context.request().connection().close());
        refuse(context, caller, client, new Problem(413, "body-too-large", "Request body too large",
                "a business call's body may hold at most " + maxBodyBytes + " bytes (broker.proxy.max-body-size)"));
    }

    private void refuse(RoutingContext context, Caller caller, String client, Problem problem) {
        LOG.debugf("Business call refused: HTTP %d %s", problem.status(), problem.type());
        audit.denied(caller, client, problem.status(), remote(context.request()));
        if (!context.response().ended()) {
            problems.send(context.response(), problem);
        }
        // A small body the caller already sent is read and dropped, so the connection can serve the next request.
        context.request().resume();
    }

    private static Problem problemOf(Throwable failure) {
        Problem problem = Problem.of(failure);
        if (problem == null) {
            LOG.error("Unexpected failure of a business call", failure);
            return new Problem(500, "internal-error", "Internal error", "the broker failed unexpectedly");
        }
        return problem;
    }

    /** The TCP peer, as the audit trail records it (forwarded headers are the caller's to invent). */
    static String remote(HttpServerRequest request) {
        SocketAddress peer = request.connection() == null ? null : request.connection().remoteAddress();
        return peer == null || peer.hostAddress() == null ? "-" : peer.hostAddress();
    }
}
