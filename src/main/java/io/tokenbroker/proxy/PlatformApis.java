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
     * A connection that carries nothing for {@code idle} is closed: in the pool, and under an answer
     * that stops half-way (the time-out of a call covers only the wait for the answer's headers).
     */
    private static Target target(URI base, int connections, Duration idle) {
        boolean ssl = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : ssl ? 443 : 80;
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        String basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setSsl(ssl).setVerifyHost(true)
                .setDefaultHost(base.getHost()).setDefaultPort(port)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idle.toMillis())).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                // The platform's answers pass through as they are: never ask for or inflate compression.
                .setDecompressionSupported(false).setTryUseCompression(false);
        return new Target(options, new PoolOptions().setHttp1MaxSize(connections), base.getHost(), port, ssl, basePath);
    }
}
