package io.tokenbroker.proxy;

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
import java.util.concurrent.TimeUnit;

/**
 * The connections to each client's business APIs: one Vert.x HTTP client per client, on the event
 * loops Quarkus already runs, with a pool of keep-alive connections as large as the client's
 * {@code max-calls-in-flight}, so a call never waits for a connection behind others.
 */
@Singleton
class PlatformApis {

    /** One client's business API: where it is and the pool that reaches it. */
    record Api(HttpClient http, String host, int port, boolean ssl, String basePath) {

        /** Options of a request to {@code pathAndQuery} (a platform path with its raw query). */
        RequestOptions request(HttpMethod method, String pathAndQuery) {
            return new RequestOptions().setMethod(method).setHost(host).setPort(port).setSsl(ssl)
                    .setURI(basePath + pathAndQuery);
        }
    }

    private final Map<String, Api> apis = new HashMap<>();

    PlatformApis(BrokerConfig config, Vertx vertx) {
        config.clients().forEach((name, client) -> apis.put(name, api(vertx, client.apiBaseUrl(),
                client.maxCallsInFlight(), client.callTimeout())));
    }

    /** The business API of {@code client}, a configured client. */
    Api of(String client) {
        return apis.get(client);
    }

    void close(@Observes ShutdownEvent stop) {
        apis.values().forEach(api -> api.http().close());
    }

    /**
     * A connection that carries nothing for {@code idle} is closed: in the pool, and under an answer
     * that stops half-way (the time-out of a call covers only the wait for the answer's headers).
     */
    private static Api api(Vertx vertx, URI base, int connections, Duration idle) {
        boolean ssl = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : ssl ? 443 : 80;
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        String basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setSsl(ssl).setVerifyHost(true)
                .setDefaultHost(base.getHost()).setDefaultPort(port)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idle.toMillis())).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                // The platform's answers pass through as they are: never ask for or inflate compression.
                .setDecompressionSupported(false).setTryUseCompression(false);
        return new Api(vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(connections)),
                base.getHost(), port, ssl, basePath);
    }
}
