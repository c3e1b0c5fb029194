package io.tokenbroker.platform;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import java.net.URI;

/**
 * What the span of one credential request says: an HTTP client span as OpenTelemetry's conventions
 * describe one, but for {@code url.full} and {@code url.query}. The request's query carries the
 * secret, so the span names the server and the path, never the URL.
 */
final class CredentialCallSpan {

    static final String NAME = "POST " + PlatformAuthApi.PATH;
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
    private static final AttributeKey<String> SERVER = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> RESENDS = AttributeKey.longKey("http.request.resend_count");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private final String scheme;
    private final String host;
    private final long port;
    private final String path;

    CredentialCallSpan(URI baseUrl) {
        this.scheme = baseUrl.getScheme();
        this.host = baseUrl.getHost();
        this.port = baseUrl.getPort() > 0 ? baseUrl.getPort() : "https".equalsIgnoreCase(scheme) ? 443 : 80;
        String base = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
        this.path = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PlatformAuthApi.PATH;
    }

    void request(Span span, int resends) {
        if (!span.isRecording()) {
            return;
        }
        span.setAttribute(METHOD, "POST").setAttribute(SCHEME, scheme).setAttribute(SERVER, host)
                .setAttribute(PORT, port).setAttribute(PATH, path);
        if (resends > 0) {
            span.setAttribute(RESENDS, resends);
        }
    }

    void answered(Span span, int status) {
        span.setAttribute(STATUS, status);
    }
}
