package io.tokenbroker.proxy;

import io.netty.util.concurrent.FastThreadLocal;
import io.quarkus.runtime.ShutdownEvent;
import io.tokenbroker.config.BrokerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.tracing.TracingPolicy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The connections to each client's business APIs: Vert.x HTTP clients on the event loops Quarkus
 * already runs, with pools of keep-alive connections as large as the client's
 * {@code max-calls-in-flight}, so a call never waits for a connection behind others. Each event loop
 * has its own client per platform client: a call's connection then lives on the loop that took the
 * call in, and no step of it hops to another thread (with one shared pool, a connection made on
 * another loop costs a hand-over for every callback).
 */
@Singleton
class PlatformApis {

    /** Where one client's business API is, and how connections to it are made. */
    private record Target(HttpClientOptions options, PoolOptions pool, String host, int port, boolean ssl,
            String basePath) {
    }

    private final Vertx vertx;
    private final Map<String, Target> targets = new HashMap<>();
    private final FastThreadLocal<Map<String, HttpClient>> clientsOfThisLoop = new FastThreadLocal<>() {
        @Override
        protected Map<String, HttpClient> initialValue() {
            return new HashMap<>();
        }
    };
    private final Queue<HttpClient> opened = new ConcurrentLinkedQueue<>();

    PlatformApis(BrokerConfig config, Vertx vertx) {
        this.vertx = vertx;
        config.clients().forEach((name, client) -> targets.put(name, target(client.apiBaseUrl(),
                client.maxCallsInFlight(), client.callTimeout())));
    }

    /** The HTTP client for {@code client}'s business API on the calling thread (an event loop). */
    HttpClient http(String client) {
        return clientsOfThisLoop.get().computeIfAbsent(client, name -> {
            Target target = targets.get(name);
            HttpClient http = vertx.createHttpClient(target.options(), target.pool());
            opened.add(http);
            return http;
        });
    }

    /** Options of a request of {@code client} to {@code pathAndQuery} (a platform path with its raw query). */
    RequestOptions request(String client, HttpMethod method, String pathAndQuery) {
        Target target = targets.get(client);
        return new RequestOptions().setMethod(method).setHost(target.host()).setPort(target.port())
                .setSsl(target.ssl()).setURI(target.basePath() + pathAndQuery);
    }

    void close(@Observes ShutdownEvent stop) {
        opened.forEach(HttpClient::close);
    }

    /**
     * Servers close idle keep-alive connections after a few seconds (Node.js after 5 s): a call sent on
     * one the server just closed fails with nothing answered, and is never sent again. Pooled
     * connections are therefore dropped after this much idleness, before common servers drop them.
     */
    private static final int KEEP_ALIVE_SECONDS = 4;
    /** An answer that stops half-way is cut after this much silence, at least (more when the call-timeout is longer). */
    private static final Duration LEAST_ANSWER_SILENCE = Duration.ofSeconds(60);

    /**
     * The options of one client's connections. The time-out of a call covers only the wait for the
     * answer's headers; an answer that then stops half-way is cut after {@code idle} of silence.
     */
    private static Target target(URI base, int connections, Duration idle) {
        boolean ssl = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : ssl ? 443 : 80;
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        String basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setSsl(ssl).setVerifyHost(true)
                .setDefaultHost(base.getHost()).setDefaultPort(port)
                .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(idle.toMillis(), LEAST_ANSWER_SILENCE.toMillis())))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                // The platform's answers pass through as they are: never ask for or inflate compression.
                .setDecompressionSupported(false).setTryUseCompression(false)
                // Traced by BusinessCallTrace, one span per call (retry included) without the caller's query.
                .setTracingPolicy(TracingPolicy.IGNORE);
        return new Target(options, new PoolOptions().setHttp1MaxSize(connections), base.getHost(), port, ssl, basePath);
    }
}
