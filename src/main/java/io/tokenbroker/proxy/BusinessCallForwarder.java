package io.tokenbroker.proxy;

import io.tokenbroker.api.Problem;
import io.tokenbroker.api.ProblemResponder;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.security.AuditTrail;
import io.tokenbroker.token.RefreshTooSoonException;
import io.tokenbroker.token.TokenBroker;
import io.tokenbroker.token.TokenRecord;
import io.tokenbroker.tracing.Spans;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Sends business calls to the platform with the client's current token and a new {@code Request-Id},
 * and relays the answer. When the platform refuses the token ({@link TokenRefusal}), the token is
 * replaced as {@code POST /token/refresh} replaces it (compare-and-set: one platform call across all
 * replicas however many calls were refused at once) and the call is sent once more: a refused token
 * means the platform did not perform the call, whatever its method. Nothing else is ever sent again:
 * not a 5xx, not a time-out, not a reset, since the platform may have acted on those.
 */
@Singleton
class BusinessCallForwarder {

    private static final Logger LOG = Logger.getLogger(BusinessCallForwarder.class);

    private final TokenBroker broker;
    private final PlatformApis apis;
    private final ProblemResponder problems;
    private final BrokerMetrics metrics;
    private final AuditTrail audit;
    private final RequestIds ids = new RequestIds();
    private final Map<String, TokenRefusal> refusals = new HashMap<>();
    private final Map<String, Long> timeouts = new HashMap<>();
    private final Spans spans;

    BusinessCallForwarder(BrokerConfig config, TokenBroker broker, PlatformApis apis, ProblemResponder problems,
            BrokerMetrics metrics, AuditTrail audit, Spans spans) {
        this.spans = spans;
        this.broker = broker;
        this.apis = apis;
        this.problems = problems;
        this.metrics = metrics;
        this.audit = audit;
        config.clients().forEach((name, client) -> {
            refusals.put(name, new TokenRefusal(client.tokenRejectedCodes()));
            timeouts.put(name, client.callTimeout().toMillis());
        });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Sends {@code call} and answers its caller; runs on the call's I/O thread. */
    void forward(BusinessCall call) {
        new Exchange(call).start();
    }

    /** One request sent to the platform: the token it carried and its id. */
    private record Attempt(TokenRecord token, String requestId, boolean retry) {
    }

    /**
     * One business call from intake to the end of its answer: at most two requests to the platform.
     * Every step runs on the call's own Vert.x context, so its state needs no locking.
     */
    private final class Exchange {

        private final BusinessCall call;
        private final String client;
        private final HttpServerResponse out;
        private final ContextInternal context;
        private final HttpMethod method;
        private final MultiMap callerHeaders;
        private final long startedNanos = System.nanoTime();
        private final BusinessCallTrace trace;
        private HttpClientRequest pending;
        private Attempt current;
        private ScheduledFuture<?> timer;
        private boolean answered;
        private boolean finished;

        Exchange(BusinessCall call) {
            this.call = call;
            this.client = call.client();
            this.out = call.context().response();
            this.context = (ContextInternal) Vertx.currentContext();
            this.method = call.context().request().method();
            this.callerHeaders = call.context().request().headers();
            this.trace = BusinessCallTrace.start(spans, client, method, call.path().rawPath(), callerHeaders);
        }

        void start() {
            out.closeHandler(closed -> abandoned());
            TokenRecord fresh = broker.servableNow(client);
            if (fresh != null) {
                send(fresh, false);
                return;
            }
            broker.currentToken(client).subscribe().with(token -> context.runOnContext(go -> send(token, false)),
                    failure -> context.runOnContext(go -> noToken(failure)));
        }

        private void send(TokenRecord token, boolean retry) {
            if (finished) {
                return;
            }
            Attempt attempt = new Attempt(token, ids.next(), retry);
            current = attempt;
            answered = false;
            if (retry) {
                audit.retried(call.caller(), client, method.name(), call.path().rawPath(), token, attempt.requestId(),
                        call.callerRequestId());
            }
            // On the loop's own scheduler: no timer registry to update for each of the many calls.
            timer = context.nettyEventLoop().schedule(() -> context.runOnContext(fired -> timedOut()),
                    timeouts.get(client), TimeUnit.MILLISECONDS);
            apis.http(client).request(apis.request(client, method, call.target())).onComplete(opened -> {
                if (finished) {
                    if (opened.succeeded()) {
                        opened.result().reset();
                    }
                } else if (opened.failed()) {
                    unreachable(opened.cause());
                } else {
                    pending = opened.result();
                    Future<HttpClientResponse> answer;
                    try {
                        MultiMap sent = pending.headers();
                        ForwardedHeaders.towardsPlatform(callerHeaders, sent);
                        sent.set(ForwardedHeaders.ACCESS_TOKEN, token.token())
                                .set(ForwardedHeaders.REQUEST_ID, attempt.requestId());
                        trace.sending(sent);
                        answer = call.body() == null ? pending.send() : pending.send(call.body());
                    } catch (RuntimeException unsendable) {
                        unsendable(unsendable);
                        return;
                    }
                    answer.onComplete(result -> {
                        if (finished) {
                            return;
                        }
                        // The time-out may already be queued on this context: it must find the call answered.
                        answered = true;
                        timer.cancel(false);
                        if (result.failed()) {
                            lost(result.cause());
                        } else {
                            received(attempt, result.result());
                        }
                    });
                }
            });
        }

        private void received(Attempt attempt, HttpClientResponse answer) {
            boolean refusedByStatus = TokenRefusal.byStatus(answer.statusCode());
            if (method == HttpMethod.HEAD && refusedByStatus && !attempt.retry()) {
                refused(attempt, answer, Buffer.buffer());
            } else if (method != HttpMethod.HEAD && (refusedByStatus || TokenRefusal.inspectable(answer.headers()))) {
                inspect(attempt, answer);
            } else {
                if (refusedByStatus) {
                    refusedAgain(attempt);
                } else if (attempt.retry()) {
                    broker.rotationHelped(client);
                }
                relay(attempt, answer, null);
            }
        }

        /**
         * Reads a small answer whole, to see whether it is an envelope refusing the token; a refusal is
         * kept, to be passed on as it is should the token not be replaceable now.
         */
        private void inspect(Attempt attempt, HttpClientResponse answer) {
            Buffer body = Buffer.buffer();
            boolean refusedByStatus = TokenRefusal.byStatus(answer.statusCode());
            boolean[] streaming = {false};
            answer.handler(chunk -> {
                if (streaming[0]) {
                    return;
                }
                body.appendBuffer(chunk);
                if (body.length() > TokenRefusal.MOST_INSPECTED) {
                    streaming[0] = true; // no envelope is this large: an ordinary answer, streamed on
                    if (refusedByStatus && !attempt.retry()) {
                        answer.handler(dropped -> { });
                        refused(attempt, null, null);
                    } else {
                        relay(attempt, answer, body);
                    }
                }
            });
            answer.exceptionHandler(this::broken);
            answer.endHandler(end -> {
                if (streaming[0] || finished) {
                    return;
                }
                boolean refused = refusedByStatus || refusals.get(client)
                        .byEnvelope(body, answer.getHeader(HttpHeaders.CONTENT_ENCODING));
                if (refused && !attempt.retry()) {
                    refused(attempt, answer, body);
                    return;
                }
                if (refused) {
                    refusedAgain(attempt);
                } else if (attempt.retry()) {
                    broker.rotationHelped(client);
                }
                relayWhole(attempt, answer, body);
            });
        }

        /** An answer read whole, passed on as the platform sent it (unless the caller left meanwhile). */
        private void relayWhole(Attempt attempt, HttpClientResponse answer, Buffer body) {
            if (finished) {
                return;
            }
            head(attempt, answer);
            finish(answer.statusCode());
            out.end(body);
        }

        /** Streams the answer to the caller, pausing the platform's side while the caller's is full. */
        private void relay(Attempt attempt, HttpClientResponse answer, Buffer start) {
            head(attempt, answer);
            answer.handler(chunk -> write(answer, chunk));
            answer.exceptionHandler(this::broken);
            answer.endHandler(end -> {
                if (!finished) {
                    finish(answer.statusCode());
                    out.end();
                }
            });
            if (start != null) {
                write(answer, start);
            }
        }

        private void write(HttpClientResponse answer, Buffer chunk) {
            out.write(chunk);
            if (out.writeQueueFull()) {
                answer.pause();
                out.drainHandler(drained -> answer.resume());
            }
        }

        private void head(Attempt attempt, HttpClientResponse answer) {
            int status = answer.statusCode();
            out.setStatusCode(status);
            ForwardedHeaders.towardsCaller(answer.headers(), out.headers());
            out.putHeader(ForwardedHeaders.REQUEST_ID, attempt.requestId());
            boolean bodiless = method == HttpMethod.HEAD || status < 200 || status == 204 || status == 304;
            if (!bodiless && !out.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                out.setChunked(true);
            }
        }

        /**
         * The platform refused the token: replaced (once across replicas) and the call sent again. When no
         * forced refresh is due (the floor, raised while refusals repeat, or the day's budget), the caller
         * gets the platform's own answer, kept whole ({@code answer} and {@code body}; {@code null} when it
         * was too large to keep, and then a 503).
         */
        private void refused(Attempt attempt, HttpClientResponse answer, Buffer body) {
            metrics.businessTokenRefusal(client, "refused");
            audit.tokenRefused(call.caller(), client, method.name(), call.path().rawPath(), call.grant(), attempt.token(),
                    attempt.requestId(), call.callerRequestId(), true);
            broker.replaceRejected(client, attempt.token().token(), call.caller().name()).subscribe().with(
                    replacement -> context.runOnContext(go -> {
                        metrics.businessTokenRefusal(client, "retried");
                        send(replacement, true);
                    }),
                    failure -> context.runOnContext(go -> {
                        if (answer != null && unwrap(failure) instanceof RefreshTooSoonException) {
                            metrics.businessTokenRefusal(client, "passed-on");
                            relayWhole(attempt, answer, body);
                        } else {
                            noToken(failure);
                        }
                    }));
        }

        private void refusedAgain(Attempt attempt) {
            metrics.businessTokenRefusal(client, "refused");
            metrics.businessTokenRefusal(client, "refused-again");
            audit.tokenRefused(call.caller(), client, method.name(), call.path().rawPath(), call.grant(), attempt.token(),
                    attempt.requestId(), call.callerRequestId(), false);
        }

        private void noToken(Throwable failure) {
            Throwable cause = unwrap(failure);
            Problem problem;
            if (cause instanceof RefreshTooSoonException tooSoon) {
                problem = new Problem(503, "token-unavailable", "No token is available", "the platform refused the "
                        + "token and it cannot be replaced yet: " + tooSoon.getMessage(), tooSoon.retryAfter());
            } else {
                problem = Problem.of(cause);
            }
            if (problem == null) {
                LOG.error("Unexpected failure of a business call", cause);
                problem = new Problem(500, "internal-error", "Internal error", "the broker failed unexpectedly");
            } else {
                LOG.warnf("Client %s: business call without a token: %s", client, problem.detail());
            }
            fail(problem, "no-token");
        }

        private void timedOut() {
            if (finished || answered) {
                return;
            }
            HttpClientRequest unanswered = pending;
            LOG.warnf("Client %s: a business call had no answer within its call-timeout", client);
            fail(new Problem(504, "platform-timeout", "The platform did not answer in time", "no answer within "
                    + "broker.clients." + client + ".call-timeout (" + Duration.ofMillis(timeouts.get(client))
                    + "); the call was not sent again"), "timeout");
            // Only now: the reset fails the pending answer, which must find the call finished, not lost.
            if (unanswered != null) {
                unanswered.reset();
            }
        }

        /**
         * The request could not even be built (a header the HTTP client refuses): answered at once, never
         * left to the call's time-out, and the caller's bytes are neither echoed nor logged.
         */
        private void unsendable(RuntimeException cause) {
            LOG.warnf("Client %s: a business call could not be sent as the caller made it (%s)", client,
                    cause.getClass().getSimpleName());
            HttpClientRequest unsent = pending;
            fail(new Problem(400, "invalid-header", "Invalid header", "the request could not be sent to the "
                    + "platform as it is: a header holds bytes HTTP does not allow"), "invalid");
            unsent.reset();
        }

        private void unreachable(Throwable cause) {
            LOG.warnf("Client %s: the business API could not be reached (%s)", client, cause.getClass().getSimpleName());
            fail(new Problem(502, "platform-unreachable", "The platform could not be reached",
                    "no connection to the business API of client '" + client + "' could be made"), "unreachable");
        }

        private void lost(Throwable cause) {
            LOG.warnf("Client %s: the business API closed the connection before answering (%s)", client,
                    cause.getClass().getSimpleName());
            fail(new Problem(502, "platform-unreachable", "The platform could not be reached", "the business API of "
                    + "client '" + client + "' closed the connection before answering; the call was not sent "
                    + "again, as the platform may have performed it"), "unreachable");
        }

        /**
         * The platform's answer broke off. Before anything was passed on, the caller gets a 502 on a
         * connection that stays open: a reset would invite HTTP clients to send the call again on their
         * own, which the platform may have performed.
         */
        private void broken(Throwable cause) {
            LOG.warnf("Client %s: the business API's answer broke off (%s)", client, cause.getClass().getSimpleName());
            if (finished) {
                return;
            }
            if (out.headWritten()) {
                finish("broken", 0);
                out.reset();
            } else {
                out.headers().clear();
                out.setChunked(false);
                fail(new Problem(502, "platform-unreachable", "The platform could not be reached", "the business API "
                        + "of client '" + client + "' broke off its answer; the call was not sent again"), "broken");
            }
        }

        /**
         * The caller's connection (or HTTP/2 stream) closed. After a complete answer that is the normal
         * end of an HTTP/2 stream, not an abandoned call.
         */
        private void abandoned() {
            if (!finished && !out.ended()) {
                HttpClientRequest unanswered = pending;
                finish("abandoned", 0);
                if (unanswered != null) {
                    unanswered.reset();
                }
            }
        }

        private void fail(Problem problem, String outcome) {
            if (finished) {
                return;
            }
            boolean headWritten = out.headWritten();
            finish(outcome, problem.status());
            if (headWritten) {
                out.reset();
            } else if (!out.closed()) {
                problems.send(out, problem);
            }
        }

        /** The platform's answer was relayed whole. */
        private void finish(int status) {
            finish((status / 100) + "xx", status);
        }

        /**
         * Counts and audits the call once: {@code outcome} as the metrics count it, {@code status} as
         * the caller received it (0: none, the connection was cut).
         */
        private void finish(String outcome, int status) {
            if (finished) {
                return;
            }
            finished = true;
            if (timer != null) {
                timer.cancel(false);
            }
            call.release().run();
            trace.finished(outcome, status, current != null && current.retry());
            long nanos = System.nanoTime() - startedNanos;
            metrics.businessCall(client, call.caller().name(), outcome, nanos);
            audit.businessCall(call.caller(), client, method.name(), call.path().rawPath(), call.grant(),
                    status == 0 ? outcome : Integer.toString(status), current == null ? "-" : current.requestId(),
                    call.callerRequestId(), call.remote());
            if (LOG.isDebugEnabled()) {
                LOG.debugf("Business call caller=%s client=%s %s %s: %s in %d ms", call.caller().name(), client,
                        method.name(), call.path().rawPath(), outcome, nanos / 1_000_000);
            }
        }
    }
}
