package io.tokenbroker.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.tokenbroker.metrics.BrokerMetrics;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Refuses a request body declared larger than {@code quarkus.http.limits.max-body-size} with a
 * problem+json 413 before any of it is read; the connection is closed rather than drained. Bodies
 * without a declared length are cut off at the same size by Quarkus itself.
 */
@Singleton
class RequestBodyLimit {

    private static final Logger LOG = Logger.getLogger(RequestBodyLimit.class);

    private final long maxBytes;
    private final Problem problem;
    private final ProblemResponder problems;
    private final BrokerMetrics metrics;

    RequestBodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize,
            ProblemResponder problems, BrokerMetrics metrics) {
        this.maxBytes = maxBodySize.asLongValue();
        this.problems = problems;
        this.metrics = metrics;
        this.problem = new Problem(413, "body-too-large", "Request body too large",
                "a request body may hold at most " + maxBytes + " bytes");
    }

    void install(@Observes Router router) {
        // Ahead of Quarkus REST, which would otherwise read the body before anything can look at it.
        router.route("/token/*").order(-100).handler(this::check);
    }

    private void check(RoutingContext context) {
        long declared = RequestBodies.declaredLength(context.request().headers());
        if (declared <= maxBytes) {
            context.next();
            return;
        }
        metrics.tokenRequestFailed(BrokerMetrics.NO_CLIENT, BrokerMetrics.NO_CALLER, 413);
        // The parsed number, not the header: a caller's raw text has no place in a log line.
        LOG.debugf(declared == Long.MAX_VALUE ? "HTTP 413: an unreadable or huge body length was declared"
                : "HTTP 413: a body of %d bytes was declared", declared);
        problems.send(context.response().putHeader(HttpHeaders.CONNECTION, "close"), problem);
    }
}
