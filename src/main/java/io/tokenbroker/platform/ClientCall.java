package io.tokenbroker.platform;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.tracing.Spans;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * The credential call of one client with its own fault-tolerance guard, so that one client's
 * failures never open another client's breaker. Issuing a token is not idempotent: a call whose
 * answer was not seen (a time-out, a reset, a 502) may have issued a token that a second call would
 * invalidate, so only failures that certainly issued nothing are retried (see {@link PlatformAnswers}).
 * Rejected credentials are remembered for {@code broker.platform.rejection-hold}, so a bad secret
 * cannot hammer the platform.
 */
final class ClientCall {

    private static final Logger LOG = Logger.getLogger(ClientCall.class);

    private final String name;
    private final BrokerConfig.Client client;
    private final PlatformSecret secret;
    private final PlatformAuthApi api;
    private final PlatformAnswers answers;
    private final Clock clock;
    private final Duration rejectionHold;
    private final Duration breakerDelay;
    private final TypedGuard<IssuedToken> guard;
    private final BrokerMetrics metrics;
    private final Spans spans;
    private final CredentialCallSpan callSpan;
    private final PlatformLatency latency;
    private volatile Rejection lastRejection;
    private volatile CircuitBreakerState breaker = CircuitBreakerState.CLOSED;

    /** Rejected credentials: held until {@code until}, or until the secret changes. */
    private record Rejection(Instant until, String secret, CredentialsRejectedException cause) {

        boolean holds(Instant now, String currentSecret) {
            return now.isBefore(until) && secret.equals(currentSecret);
        }
    }

    ClientCall(String name, BrokerConfig.Client client, PlatformAuthApi api, PlatformAnswers answers,
            BrokerConfig.Platform policy, Clock clock, BrokerMetrics metrics, Spans spans) {
        this.name = name;
        this.spans = spans;
        this.callSpan = new CredentialCallSpan(client.baseUrl());
        this.client = client;
        this.secret = new PlatformSecret(name, client);
        this.api = api;
        this.answers = answers;
        this.clock = clock;
        this.rejectionHold = policy.rejectionHold();
        this.breakerDelay = policy.breakerDelay();
        this.metrics = metrics;
        this.guard = guard(name, policy, this::breakerChanged, this::beforeRetry);
        this.latency = new PlatformLatency(name, policy);
    }

    /** How long callers should wait for this client's call: see {@link PlatformLatency#answerWithin}. */
    Duration answerWithin() {
        return latency.answerWithin();
    }

    /** The state of this client's circuit breaker: closed, open or half-open. */
    CircuitBreakerState breakerState() {
        return breaker;
    }

    private void breakerChanged(CircuitBreakerState state) {
        breaker = state;
        metrics.breakerOpen(name, state == CircuitBreakerState.OPEN);
    }

    /**
     * Asks the platform for a token, checking {@code mayIssue} before every attempt: a caller whose
     * refresh lock ran out must not cause another token.
     */
    IssuedToken fetch(BooleanSupplier mayIssue) {
        String currentSecret = secret.current(answers);
        Rejection rejection = lastRejection;
        if (rejection != null && rejection.holds(clock.instant(), currentSecret)) {
            throw rejection.cause();
        }
        int[] attempts = {0};
        try {
            return guard.call(() -> spans.within(CredentialCallSpan.NAME, SpanKind.CLIENT, name,
                    () -> attempt(currentSecret, mayIssue, attempts[0]++)));
        } catch (CredentialsRejectedException rejected) {
            lastRejection = new Rejection(clock.instant().plus(rejectionHold), currentSecret, rejected);
            LOG.warnf("Client %s: %s; not asking again for %s", name, rejected.getMessage(), rejectionHold);
            throw rejected;
        } catch (PlatformException failed) {
            throw failed;
        } catch (CircuitBreakerOpenException open) {
            throw new PlatformUnavailableException(name, "the platform's circuit breaker is open", breakerDelay, true);
        } catch (Exception unexpected) {
            throw answers.unavailable(name, "the platform call failed: " + unexpected.getClass().getSimpleName());
        }
    }

    /** Only a failure that issued nothing is retried; logged, as every retry costs the platform a call. */
    private void beforeRetry(Throwable failure) {
        LOG.infof("Client %s: the platform issued nothing (%s); trying again", name, failure.getMessage());
    }

    /** @param resends how many attempts of this call came before */
    private IssuedToken attempt(String currentSecret, BooleanSupplier mayIssue, int resends) {
        if (!mayIssue.getAsBoolean()) {
            throw new CallWithdrawnException(name);
        }
        Span span = Span.current();
        callSpan.request(span, resends);
        Instant requestedAt = clock.instant();
        long sentNanos = System.nanoTime();
        String body;
        int status;
        try (Response response = api.credential(client.clientId(), currentSecret, client.userType())) {
            status = response.getStatus();
            callSpan.answered(span, status);
            body = response.hasEntity() ? response.readEntity(String.class) : null;
        } catch (ProcessingException ioFailure) {
            // The cause's message can quote the request URL, which carries the secret: never pass it on.
            if (neverConnected(ioFailure)) {
                metrics.platformCall(name, "unreachable");
                throw answers.notIssued(name, "the platform could not be reached (" + rootCauseName(ioFailure) + ")");
            }
            boolean timedOut = timedOut(ioFailure);
            metrics.platformCall(name, timedOut ? "timeout" : "unreachable");
            throw answers.answerLost(name, timedOut ? "the platform did not answer within "
                    + "broker.platform.late-answer-timeout (it may still issue a token)"
                    : "the platform's answer was lost (" + rootCauseName(ioFailure) + "; it may have issued a token)");
        }
        latency.answered(Duration.ofNanos(System.nanoTime() - sentNanos));
        String token;
        try {
            token = answers.tokenFrom(name, status, body);
        } catch (PlatformException failed) {
            metrics.platformCall(name, outcome(failed));
            throw failed;
        }
        metrics.platformCall(name, "ok");
        LOG.debugf("Client %s: the platform issued a token", name);
        return new IssuedToken(token, requestedAt);
    }

    /** The one retry rule: repeat only what certainly issued no token. */
    private static boolean issuedNothing(Throwable failure) {
        return failure instanceof PlatformUnavailableException unavailable && unavailable.issuedNothing();
    }

    private static String outcome(PlatformException failed) {
        if (failed instanceof CredentialsRejectedException) {
            return "rejected";
        }
        return failed instanceof PlatformAnswerException ? "bad-answer" : "unavailable";
    }

    /** Whether the request got no answer in time (the read time-out: {@code broker.platform.late-answer-timeout}). */
    private static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.SocketTimeoutException
                    || t.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the request never left: no connection was made, so the platform issued nothing. */
    private static boolean neverConnected(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // Netty annotates the failures of the connect phase with the address (AnnotatedSocketException:
            // "Invalid argument", "Network is unreachable"): the request never left either.
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException
                    || t instanceof java.net.SocketException && t.getClass().getSimpleName().startsWith("Annotated")) {
                return true;
            }
        }
        return false;
    }

    private static String rootCauseName(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName();
    }

    private static TypedGuard<IssuedToken> guard(String name, BrokerConfig.Platform policy,
            Consumer<CircuitBreakerState> onStateChange, Consumer<Throwable> beforeRetry) {
        return TypedGuard.create(IssuedToken.class)
                .withDescription("platform credential call of client " + name)
                .withRetry()
                    .maxRetries(policy.maxRetries())
                    .delay(policy.retryDelay().toMillis(), ChronoUnit.MILLIS)
                    .jitter(policy.retryJitter().toMillis(), ChronoUnit.MILLIS)
                    .whenException(ClientCall::issuedNothing)
                    .beforeRetry(beforeRetry)
                    .withExponentialBackoff()
                        .factor(2)
                        .maxDelay(policy.retryMaxDelay().toMillis(), ChronoUnit.MILLIS)
                        .done()
                    .done()
                .withCircuitBreaker()
                    .name("platform-" + name)
                    .requestVolumeThreshold(policy.breakerVolume())
                    .failureRatio(policy.breakerFailureRatio())
                    .delay(policy.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                    .skipOn(List.of(CredentialsRejectedException.class, CallWithdrawnException.class))
                    .onStateChange(onStateChange)
                    .done()
                .build();
    }
}
