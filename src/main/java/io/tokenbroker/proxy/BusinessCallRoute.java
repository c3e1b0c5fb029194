package io.tokenbroker.proxy;

import io.tokenbroker.api.Peers;
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
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Takes in business calls, {@code /platform/CLIENT/PATH}, on the I/O thread ahead of Quarkus REST, and
 * decides whether they may go to the platform, in the contract's order: a path that could be read as
 * another, or a header or query with bytes that must not reach the platform (400), the caller (401), the client and the path it was granted (404, 403), the body's size
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
    private final Map<String, Long> bodyTimeouts = new HashMap<>();
    private final BufferedBodies buffered;

    BusinessCallRoute(BrokerConfig config, CallerRegistry callers, ClientAccess access, CallsInFlight inFlight,
            BufferedBodies buffered, BusinessCallForwarder forwarder, ProblemResponder problems, AuditTrail audit) {
        this.buffered = buffered;
        this.callers = callers;
        this.access = access;
        this.inFlight = inFlight;
        this.forwarder = forwarder;
        this.problems = problems;
        this.audit = audit;
        this.maxBodyBytes = config.proxy().maxBodySize().asLongValue();
        long bodyTimeout = config.proxy().bodyTimeout().toMillis();
        config.clients().forEach((name, client) -> bodyTimeouts.put(name,
                Math.min(bodyTimeout, client.callTimeout().toMillis())));
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
        Problem hostile = CallerBytes.refusal(request.headers(), request.query());
        if (hostile != null) {
            refuse(context, null, null, hostile);
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
        if (context.response().closed()) {
            return; // the caller left while it was being authenticated: nothing to take a place for
        }
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
        CallsInFlight.Refusal full = inFlight.tryEnter(client, caller.name());
        if (full != null) {
            refuse(context, caller, client, new Problem(503, "too-many-calls", "Too many calls in flight",
                    full == CallsInFlight.Refusal.CALLER_SHARE
                            ? "caller '" + caller.name() + "' holds its share of client '" + client + "''s places in "
                                    + "flight on this replica (" + inFlight.callerLimit(client) + ": broker.clients."
                                    + client + ".max-caller-share)"
                            : "client '" + client + "' has its most business calls in flight on this replica "
                                    + "(broker.clients." + client + ".max-calls-in-flight)", Duration.ofSeconds(1)));
            return;
        }
        long[] reserved = {0};
        Runnable release = once(() -> {
            inFlight.leave(client, caller.name());
            buffered.release(reserved[0]);
        });
        String grant = caller.grantFor(path.segments()).toString();
        readBody(context, caller, client, release, reserved, body -> forwarder.forward(new BusinessCall(context, caller,
                path, grant, body, Peers.remote(context.request()), release)));
    }

    /**
     * Reads the body, at most {@code broker.proxy.max-body-size}, within {@code broker.proxy.body-timeout}
     * (never beyond the client's {@code call-timeout}) and within the replica's room for bodies
     * ({@code max-buffered-bodies}, counted in {@code reserved} until the call ends), then hands it on
     * (null when the request has none). A body refused, too slow or never finished gives the call's
     * place and its bytes back at once: a caller trickling bytes cannot hold the client's places.
     */
    private void readBody(RoutingContext context, Caller caller, String client, Runnable release, long[] reserved,
            Consumer<Buffer> then) {
        HttpServerRequest request = context.request();
        // HTTP/2 needs neither Content-Length nor Transfer-Encoding for a body: only the stream's end says.
        if (request.version() != HttpVersion.HTTP_2 && !RequestBodies.hasBody(request.headers())) {
            then.accept(null);
            return;
        }
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        long deadline = context.vertx().setTimer(bodyTimeouts.get(client), late -> {
            if (!refused[0]) {
                refused[0] = true;
                release.run();
                closeAfterAnswer(context);
                refuse(context, caller, client, new Problem(408, "body-too-slow", "Request body too slow",
                        "the body did not arrive within broker.proxy.body-timeout (" + bodyTimeouts.get(client)
                                + " ms for client '" + client + "')"));
            }
        });
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > maxBodyBytes) {
                refused[0] = true;
                context.vertx().cancelTimer(deadline);
                release.run();
                tooLarge(context, caller, client);
            } else if (!buffered.reserve(chunk.length())) {
                refused[0] = true;
                context.vertx().cancelTimer(deadline);
                release.run();
                closeAfterAnswer(context);
                refuse(context, caller, client, new Problem(503, "too-many-bodies", "Too many bodies in flight",
                        "this replica holds its most request-body bytes (broker.proxy.max-buffered-bodies)",
                        Duration.ofSeconds(1)));
            } else {
                reserved[0] += chunk.length();
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(failure -> {
            if (!refused[0]) {
                refused[0] = true;
                context.vertx().cancelTimer(deadline);
                release.run();
                LOG.debugf("Business call of client %s: the request body could not be read", client);
            }
        });
        // A caller that goes away half-way through its body may close without an exception on the request.
        context.response().closeHandler(closed -> {
            refused[0] = true;
            context.vertx().cancelTimer(deadline);
            release.run();
        });
        request.endHandler(end -> {
            if (!refused[0]) {
                context.vertx().cancelTimer(deadline);
                then.accept(body.length() == 0 && !RequestBodies.hasBody(request.headers()) ? null : body);
            }
        });
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            context.response().writeContinue();
        }
        request.resume();
    }

    /** 413, and the rest of the body never read. */
    private void tooLarge(RoutingContext context, Caller caller, String client) {
        closeAfterAnswer(context);
        refuse(context, caller, client, new Problem(413, "body-too-large", "Request body too large",
                "a business call's body may hold at most " + maxBodyBytes + " bytes (broker.proxy.max-body-size)"));
    }

    /**
     * Answers {@code problem}. A body the caller declared is not read on its behalf: over HTTP/1 the
     * connection closes after the answer (draining would let anyone stream without end into a refusal);
     * over HTTP/2 ending the answer ends the stream alone, never the caller's other streams.
     */
    private void refuse(RoutingContext context, Caller caller, String client, Problem problem) {
        LOG.debugf("Business call refused: HTTP %d %s", problem.status(), problem.type());
        audit.denied(caller, client, problem.status(), Peers.remote(context.request()));
        HttpServerRequest request = context.request();
        if (RequestBodies.hasBody(request.headers()) && !request.isEnded()) {
            closeAfterAnswer(context);
        }
        if (!context.response().ended() && !context.response().closed()) {
            problems.send(context.response(), problem);
        }
        request.resume();
    }

    private static void closeAfterAnswer(RoutingContext context) {
        if (context.request().version() != HttpVersion.HTTP_2 && !context.response().headWritten()) {
            context.response().putHeader(HttpHeaders.CONNECTION, "close")
                    .endHandler(end -> context.request().connection().close());
        }
    }

    /** {@code action}, run at most once however many paths reach it. */
    private static Runnable once(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    private static Problem problemOf(Throwable failure) {
        return Problem.orInternalError(failure, LOG);
    }
}
