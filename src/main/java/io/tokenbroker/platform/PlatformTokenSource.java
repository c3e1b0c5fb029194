package io.tokenbroker.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.tracing.Spans;
import io.vertx.core.tracing.TracingPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Obtains new tokens from the platform, one client at a time, behind that client's own time-outs,
 * retries and circuit breaker.
 */
@ApplicationScoped
public class PlatformTokenSource implements TokenIssuer {

    private final Map<String, ClientCall> calls = new TreeMap<>();

    PlatformTokenSource(BrokerConfig config, Clock clock, BrokerMetrics metrics, Spans spans) {
        BrokerConfig.Platform policy = config.platform();
        // Jackson's defaults, not the application's strict mapper (api.StrictJson, for callers'
        // bodies): a platform answer with, say, a numeric trackId is classified, never refused.
        PlatformAnswers answers = new PlatformAnswers(new ObjectMapper(), policy.busyCodes(), policy.retryMaxDelay());
        config.clients().forEach((name, client) -> calls.put(name,
                new ClientCall(name, client, api(client, policy), answers, policy, clock, metrics, spans)));
    }

    @Override
    public IssuedToken issue(String client, BooleanSupplier mayIssue) {
        return call(client).fetch(mayIssue);
    }

    @Override
    public Duration answerWithin(String client) {
        return call(client).answerWithin();
    }

    /**
     * The state of {@code client}'s circuit breaker for operators: {@code closed}, {@code open} or
     * {@code half-open}.
     *
     * @throws IllegalArgumentException if no such client is configured
     */
    public String breakerState(String client) {
        return call(client).breakerState().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private ClientCall call(String client) {
        ClientCall call = calls.get(client);
        if (call == null) {
            throw new IllegalArgumentException("no platform client is configured under that name");
        }
        return call;
    }

    /**
     * The client of one platform account. Quarkus' tracer on Vert.x would record every request's full
     * URL, and this one carries the secret in its query: its requests are never traced automatically
     * (and carry no {@code traceparent}); {@link ClientCall} records each attempt itself, without the
     * query.
     */
    private static PlatformAuthApi api(BrokerConfig.Client client, BrokerConfig.Platform policy) {
        long timeoutMillis = policy.timeout().toMillis();
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(client.baseUrl())
                .connectTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                // A slow answer is still the platform's newest token: waited for, in the background.
                .readTimeout(policy.lateAnswerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .disableDefaultMapper(true)
                .clientLogger(new MaskingClientLogger())
                .httpClientOptionsCustomizer(options -> options.setTracingPolicy(TracingPolicy.IGNORE))
                .build(PlatformAuthApi.class);
    }
}
