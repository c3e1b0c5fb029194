package io.tokenbroker.bench.floor;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code GET /platform/default/…}: the least a Vert.x route in Quarkus does to make the broker's business
 * call, for {@code bench/run.sh proxy}. It checks the caller's key by comparing strings, sends the path
 * and query to {@code floor.upstream} over a pooled keep-alive Vert.x client (64 connections, as the
 * broker's default; one client per event loop, as in the broker, so no callback crosses threads) with a
 * fixed {@code Access-Token} and a counter as {@code Request-Id}, and answers
 * the upstream's status, headers and body (read whole, as the broker reads a small JSON answer) with
 * that {@code Request-Id}. No header filtering, no refused-token check, no time-out, metrics or audit.
 */
@ApplicationScoped
public class FloorProxy {

    private static final String PREFIX = "/platform/default";
    private static final String TOKEN = "0123456789abcdef".repeat(3);

    @ConfigProperty(name = "floor.upstream")
    Optional<URI> upstream;

    @ConfigProperty(name = "floor.caller-authorization", defaultValue = "Bearer bench-caller-key")
    String callerAuthorization;

    private final AtomicLong ids = new AtomicLong();
    private final ThreadLocal<HttpClient> clientOfThisLoop = new ThreadLocal<>();
    private Vertx vertx;
    private HttpClientOptions options;

    void route(@Observes Router router, Vertx vertx) {
        if (upstream.isEmpty()) {
            return;
        }
        URI base = upstream.get();
        this.vertx = vertx;
        options = new HttpClientOptions().setKeepAlive(true).setDefaultHost(base.getHost()).setDefaultPort(base.getPort());
        router.route(PREFIX + "/*").handler(this::forward);
    }

    private void forward(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (!callerAuthorization.equals(request.getHeader("Authorization"))) {
            context.response().setStatusCode(401).end();
            return;
        }
        String id = Long.toString(ids.incrementAndGet());
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
                .setURI(request.uri().substring(PREFIX.length()))
                .putHeader("Access-Token", TOKEN).putHeader("Request-Id", id);
        client().request(options)
                .compose(out -> out.send().compose(in -> in.body().map(body -> answer(context, in, id, body))))
                .onFailure(failure -> context.response().setStatusCode(502).end());
    }

    private HttpClient client() {
        HttpClient client = clientOfThisLoop.get();
        if (client == null) {
            client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(64));
            clientOfThisLoop.set(client);
        }
        return client;
    }

    private Void answer(RoutingContext context, HttpClientResponse in, String id, io.vertx.core.buffer.Buffer body) {
        context.response().setStatusCode(in.statusCode());
        context.response().headers().addAll(in.headers()).remove("Connection").set("Request-Id", id);
        context.response().end(body);
        return null;
    }
}
