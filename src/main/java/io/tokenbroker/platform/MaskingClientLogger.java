package io.tokenbroker.platform;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.client.api.ClientLogger;

/**
 * Logs the platform client's traffic when an operator turns REST client logging on
 * ({@code quarkus.rest-client.logging.scope=request-response}), without what Quarkus' default logger
 * would print: the {@code secret} query parameter is masked, and bodies, which carry tokens, are never
 * logged. Uses Quarkus' own category, so the usual logging switches work.
 */
final class MaskingClientLogger implements ClientLogger {

    private static final Logger LOG = Logger.getLogger("org.jboss.resteasy.reactive.client.logging");
    private static final Pattern SECRET = Pattern.compile("(?i)([?&]secret=)[^&#]*");

    @Override
    public void setBodySize(int bodySize) {
        // Bodies are never logged: the credential answer carries the token.
    }

    @Override
    public void logRequest(HttpClientRequest request, Buffer body, boolean omitBody) {
        if (LOG.isDebugEnabled()) {
            LOG.debugf("Request: %s %s (body not logged)", request.getMethod(), mask(request.absoluteURI()));
        }
    }

    @Override
    public void logResponse(HttpClientResponse response, boolean redirect) {
        if (LOG.isDebugEnabled()) {
            LOG.debugf("Response: %s %d (body not logged)", mask(response.request().absoluteURI()),
                    response.statusCode());
        }
    }

    /** {@code uri} with the value of its {@code secret} query parameter replaced by {@code ***}. */
    static String mask(String uri) {
        return uri == null ? null : SECRET.matcher(uri).replaceAll("$1***");
    }
}
