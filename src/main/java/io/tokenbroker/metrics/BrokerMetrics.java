package io.tokenbroker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The broker's own metrics, all named {@code broker_*} at {@code /q/metrics}. Counters on the hot path
 * are looked up once per client and then only incremented; token gauges are computed at scrape time.
 */
@ApplicationScoped
public class BrokerMetrics {

    /** Tag value for requests whose client is unknown or not yet resolved (never the raw input). */
    public static final String NO_CLIENT = "none";

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, Counter> served = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> breakers = new ConcurrentHashMap<>();

    public BrokerMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        // Series exist from the start (at 0), so dashboards and alerts never see them missing.
        for (String reason : new String[] {"missing", "unknown-key", "invalid-service-account-token"}) {
            registry.counter("broker.auth.failures", "reason", reason);
        }
    }

    /** A token was handed out ({@code broker_token_requests_total{outcome="served"}}). */
    public void tokenServed(String client) {
        served.computeIfAbsent(client, name -> requests(name, "served")).increment();
    }

    /** A token request ended in an error answer with {@code status}. */
    public void tokenRequestFailed(String client, int status) {
        requests(client, Integer.toString(status)).increment();
    }

    /** One HTTP call to the platform's credential endpoint ({@code broker_platform_calls_total}). */
    public void platformCall(String client, String outcome) {
        registry.counter("broker.platform.calls", "client", client, "outcome", outcome).increment();
    }

    /** A caller or background task had to wait for another replica's acquisition. */
    public void lockWait(String client) {
        registry.counter("broker.lock.waits", "client", client).increment();
    }

    /** A forced refresh ({@code POST /token/refresh}) was performed or refused. */
    public void forcedRefresh(String client, String outcome) {
        registry.counter("broker.forced.refreshes", "client", client, "outcome", outcome).increment();
    }

    /** A request failed caller authentication ({@code broker_auth_failures_total}). */
    public void authenticationFailed(String reason) {
        registry.counter("broker.auth.failures", "reason", reason).increment();
    }

    /** The client's circuit breaker changed state: {@code broker_circuit_breaker_open} is 1 while open. */
    public void breakerOpen(String client, boolean open) {
        breaker(client).set(open ? 1 : 0);
    }

    /**
     * Registers the gauges of a client's current token, whose times are read at scrape time
     * ({@code null} while there is no token).
     */
    public void watchToken(String client, Supplier<Instant> acquiredAt, Supplier<Instant> expiresAt) {
        breaker(client);
        served.computeIfAbsent(client, name -> requests(name, "served"));
        for (String outcome : new String[] {"ok", "rejected", "unavailable", "bad-answer", "unreachable"}) {
            registry.counter("broker.platform.calls", "client", client, "outcome", outcome);
        }
        registry.counter("broker.lock.waits", "client", client);
        for (String outcome : new String[] {"performed", "refused"}) {
            registry.counter("broker.forced.refreshes", "client", client, "outcome", outcome);
        }
        // Strong references: Micrometer holds gauge sources weakly, and nothing else holds these lambdas.
        Gauge.builder("broker.token.expires.in", expiresAt, expiry -> secondsUntilExpiry(expiry.get()))
                .strongReference(true)
                .tag("client", client).baseUnit("seconds")
                .description("Seconds until the broker stops handing out the client's current token")
                .register(registry);
        Gauge.builder("broker.token.age", acquiredAt, acquired -> age(acquired.get()))
                .strongReference(true)
                .tag("client", client).baseUnit("seconds")
                .description("Seconds since the client's current token was requested from the platform")
                .register(registry);
    }

    private AtomicInteger breaker(String client) {
        return breakers.computeIfAbsent(client, name -> registry.gauge("broker.circuit.breaker.open",
                io.micrometer.core.instrument.Tags.of("client", name), new AtomicInteger()));
    }

    private Counter requests(String client, String outcome) {
        return Counter.builder("broker.token.requests").tag("client", client).tag("outcome", outcome)
                .description("Token requests (GET /token and POST /token/refresh) by client and outcome")
                .register(registry);
    }

    private double secondsUntilExpiry(Instant expiresAt) {
        return expiresAt == null ? 0 : Math.max(0, Duration.between(clock.instant(), expiresAt).toMillis() / 1000.0);
    }

    private double age(Instant acquiredAt) {
        return acquiredAt == null ? 0 : Duration.between(acquiredAt, clock.instant()).toMillis() / 1000.0;
    }
}
