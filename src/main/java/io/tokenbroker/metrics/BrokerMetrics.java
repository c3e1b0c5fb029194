package io.tokenbroker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The broker's own metrics, all named {@code broker_*} at {@code /q/metrics}. Counters on the hot path
 * are looked up once per client and then only incremented; token gauges are computed at scrape time.
 */
@Singleton
public class BrokerMetrics {

    /** Tag value for requests whose client is unknown or not yet resolved (never the raw input). */
    public static final String NO_CLIENT = "none";
    /**
     * Tag value for requests whose caller is not authenticated (yet): with the configured caller names,
     * the only values of the {@code caller} label, so no request can create a series of its own.
     */
    public static final String NO_CALLER = "none";

    private final MeterRegistry registry;
    private final Clock clock;
    /** The hot path's counters, by client and then caller: two look-ups, no key to allocate per request. */
    private final Map<String, Map<String, Counter>> served = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> breakers = new ConcurrentHashMap<>();
    private final Map<BusinessOutcome, Counter> businessCalls = new ConcurrentHashMap<>();
    private final Map<String, Timer> businessDurations = new ConcurrentHashMap<>();
    /** The configured callers ({@link #watchCaller}): the only values of the {@code caller} label but {@link #NO_CALLER}. */
    private final Set<String> callers = ConcurrentHashMap.newKeySet();
    private final AtomicLong clockOffsetMillis = new AtomicLong();
    private final Map<String, AtomicInteger> forcedLeft = new ConcurrentHashMap<>();

    /** The series of business calls are counted by: callers and clients are configured names. */
    private record BusinessOutcome(String client, String caller, String outcome) {
    }

    public BrokerMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        // Series exist from the start (at 0), so dashboards and alerts never see them missing.
        for (String reason : new String[] {"missing", "unknown-key", "invalid-service-account-token"}) {
            registry.counter("broker.auth.failures", "reason", reason);
        }
        // Token requests always have this series, whatever callers are configured (the absent() alert needs one).
        requests(NO_CLIENT, NO_CALLER, "401");
        Gauge.builder("broker.clock.offset", clockOffsetMillis, millis -> millis.get() / 1000.0)
                .baseUnit("seconds")
                .description("How far this replica's wall clock is ahead of Redis' (negative: behind)")
                .register(registry);
    }

    /**
     * A token was handed out to {@code caller} ({@code broker_token_requests_total{outcome="served"}}).
     * {@code caller}: a configured caller's name.
     */
    public void tokenServed(String client, String caller) {
        Counter counter = served.computeIfAbsent(client, BrokerMetrics::byCaller).get(caller);
        (counter == null ? served(client, label(caller)) : counter).increment();
    }

    /**
     * A token request ended in an error answer with {@code status}. {@code caller}: a configured
     * caller's name, or {@link #NO_CALLER} before authentication.
     */
    public void tokenRequestFailed(String client, String caller, int status) {
        requests(client, label(caller), Integer.toString(status)).increment();
    }

    /**
     * Creates, at 0, the series a configured caller can add to: tokens served for the clients it may
     * read, and forced refreshes for the clients it may use (its business calls force them too).
     */
    public void watchCaller(String caller, Collection<String> readableClients, Collection<String> usableClients) {
        callers.add(caller);
        readableClients.forEach(client -> served(client, caller));
        for (String client : usableClients) {
            for (String outcome : new String[] {"performed", "refused"}) {
                forcedRefreshes(client, caller, outcome);
            }
        }
    }

    /** One HTTP call to the platform's credential endpoint ({@code broker_platform_calls_total}). */
    public void platformCall(String client, String outcome) {
        registry.counter("broker.platform.calls", "client", client, "outcome", outcome).increment();
    }

    /**
     * A business call through the broker ended ({@code broker_business_calls_total{client,caller,outcome}}
     * and the latency histogram {@code broker_business_call_seconds{client}}). {@code outcome}: the
     * platform's status class ({@code 2xx}...), or what the broker answered instead.
     */
    public void businessCall(String client, String caller, String outcome, long nanos) {
        String label = label(caller);
        businessCalls.computeIfAbsent(new BusinessOutcome(client, label, outcome), key -> Counter
                .builder("broker.business.calls").tag("client", client).tag("caller", label).tag("outcome", outcome)
                .description("Business calls through /platform/CLIENT/..., by how they ended").register(registry))
                .increment();
        businessDurations.computeIfAbsent(client, name -> Timer.builder("broker.business.call")
                .tag("client", name).publishPercentileHistogram()
                .description("Business calls through the broker, from intake to the end of the answer")
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The platform refused the token of a business call ({@code kind}: {@code refused} for every
     * refusal, {@code retried} for each call sent again, {@code refused-again} when the new token was
     * refused too, {@code passed-on} when no forced refresh was due and the caller got the platform's
     * own answer): {@code broker_business_token_refusals_total{client,kind}}.
     */
    public void businessTokenRefusal(String client, String kind) {
        registry.counter("broker.business.token.refusals", "client", client, "kind", kind).increment();
    }

    /** A caller or background task had to wait for another replica's acquisition. */
    public void lockWait(String client) {
        registry.counter("broker.lock.waits", "client", client).increment();
    }

    /**
     * A forced refresh ({@code POST /token/refresh}, or a token refused in a business call) that
     * {@code caller} asked for was performed or refused.
     */
    public void forcedRefresh(String client, String caller, String outcome) {
        forcedRefreshes(client, label(caller), outcome).increment();
    }

    /**
     * This host's wall clock measured against the store's ({@code broker_clock_offset_seconds}, positive:
     * ahead). Records carry their writer's times; replicas whose clocks disagree by more than the
     * safety margin serve tokens past their end or refresh too early.
     */
    public void clockOffset(Duration offset) {
        clockOffsetMillis.set(offset.toMillis());
    }

    /**
     * A record written by a host whose clock is ahead of this one's was adopted
     * ({@code broker_clock_skewed_records_total{client}}): believed, and served no longer than a new token.
     */
    public void skewedRecord(String client) {
        registry.counter("broker.clock.skewed.records", "client", client).increment();
    }

    /**
     * What the client's daily budget of forced refreshes has left across replicas, as the last claim
     * saw it ({@code broker_forced_refreshes_left_today{client}}; the budget itself is
     * {@code broker_forced_refreshes_budget{client}}).
     */
    public void forcedRefreshesLeftToday(String client, int left) {
        AtomicInteger gauge = forcedLeft.get(client);
        if (gauge != null) {
            gauge.set(left);
        }
    }

    /** Registers the gauges of a client's daily budget of forced refreshes, full until the first claim. */
    public void watchForcedRefreshBudget(String client, int perDay) {
        Gauge.builder("broker.forced.refreshes.budget", () -> perDay).tag("client", client).strongReference(true)
                .description("Forced refreshes a client may have in a day (broker.token.max-forced-refreshes-per-day)")
                .register(registry);
        forcedLeft.computeIfAbsent(client, name -> registry.gauge("broker.forced.refreshes.left.today",
                io.micrometer.core.instrument.Tags.of("client", name), new AtomicInteger(perDay)));
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
        for (String outcome : new String[] {"ok", "rejected", "unavailable", "bad-answer", "unreachable", "timeout"}) {
            registry.counter("broker.platform.calls", "client", client, "outcome", outcome);
        }
        registry.counter("broker.lock.waits", "client", client);
        registry.counter("broker.clock.skewed.records", "client", client);
        for (String kind : new String[] {"refused", "retried", "refused-again", "passed-on"}) {
            registry.counter("broker.business.token.refusals", "client", client, "kind", kind);
        }
        // Strong references: Micrometer holds gauge sources weakly, and nothing else holds these lambdas.
        Gauge.builder("broker.token.expires.in", expiresAt, expiry -> secondsUntilExpiry(expiry.get()))
                .strongReference(true)
                .tag("client", client).baseUnit("seconds")
                .description("Seconds until the broker stops handing out the client's current token")
                .register(registry);
        // Alerts compare this with time(): unlike a countdown clamped at 0, it shows how long ago a token expired.
        Gauge.builder("broker.token.expires.at.timestamp", expiresAt, expiry -> epochSeconds(expiry.get()))
                .strongReference(true)
                .tag("client", client).baseUnit("seconds")
                .description("When the broker stops handing out the client's current token, in Unix seconds (NaN: no token)")
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

    /** {@code caller} if it is a configured caller, else {@link #NO_CALLER}: no other name becomes a series. */
    private String label(String caller) {
        return callers.contains(caller) ? caller : NO_CALLER;
    }

    private Counter served(String client, String caller) {
        return served.computeIfAbsent(client, BrokerMetrics::byCaller)
                .computeIfAbsent(caller, name -> requests(client, name, "served"));
    }

    private static Map<String, Counter> byCaller(String client) {
        return new ConcurrentHashMap<>();
    }

    private Counter requests(String client, String caller, String outcome) {
        return Counter.builder("broker.token.requests").tag("client", client).tag("caller", caller)
                .tag("outcome", outcome)
                .description("Token requests (GET /token and POST /token/refresh) by client, caller and outcome")
                .register(registry);
    }

    private Counter forcedRefreshes(String client, String caller, String outcome) {
        return registry.counter("broker.forced.refreshes", "client", client, "caller", caller, "outcome", outcome);
    }

    private double secondsUntilExpiry(Instant expiresAt) {
        return expiresAt == null ? 0 : Math.max(0, Duration.between(clock.instant(), expiresAt).toMillis() / 1000.0);
    }

    private static double epochSeconds(Instant time) {
        return time == null ? Double.NaN : time.toEpochMilli() / 1000.0;
    }

    private double age(Instant acquiredAt) {
        return acquiredAt == null ? 0 : Duration.between(acquiredAt, clock.instant()).toMillis() / 1000.0;
    }
}
