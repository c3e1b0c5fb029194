package io.tokenbroker.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the broker in a business call. Towards the platform: the caller's own headers,
 * minus its credentials (the broker adds the platform's), anything that claims to describe the
 * connection or an earlier proxy, and hop-by-hop headers (RFC 9110 7.6.1). Towards the caller: the
 * platform's headers minus hop-by-hop ones, {@code Set-Cookie} (the platform's session is the broker's,
 * not the caller's) and the token header, should the platform echo it.
 */
final class ForwardedHeaders {

    /** The platform's credential header. */
    static final String ACCESS_TOKEN = "Access-Token";
    /** The platform's per-request id header. */
    static final String REQUEST_ID = "Request-Id";

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "http2-settings", "proxy-authenticate");
    private static final Set<String> NEVER_TO_PLATFORM = Set.of("authorization", "proxy-authorization", "cookie",
            "access-token", "request-id", "forwarded", "via", "host", "content-length", "expect");
    private static final Set<String> NEVER_TO_CALLER = Set.of("set-cookie", "set-cookie2", "access-token",
            "request-id");

    private ForwardedHeaders() {
    }

    /** The caller's headers that go on to the platform (without the two the broker adds). */
    static MultiMap towardsPlatform(MultiMap caller) {
        Set<String> listed = connectionListed(caller);
        MultiMap forwarded = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> header : caller) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !NEVER_TO_PLATFORM.contains(name) && !name.startsWith("x-forwarded-")
                    && !listed.contains(name)) {
                forwarded.add(header.getKey(), header.getValue());
            }
        }
        return forwarded;
    }

    /** Copies the platform's answer headers that go back to the caller into {@code answer}. */
    static void towardsCaller(MultiMap platform, MultiMap answer) {
        Set<String> listed = connectionListed(platform);
        for (Map.Entry<String, String> header : platform) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !NEVER_TO_CALLER.contains(name) && !listed.contains(name)) {
                answer.add(header.getKey(), header.getValue());
            }
        }
    }

    /** Names a {@code Connection} header declares hop-by-hop, lower-cased. */
    private static Set<String> connectionListed(MultiMap headers) {
        if (!headers.contains(HttpHeaders.CONNECTION)) {
            return Set.of();
        }
        java.util.HashSet<String> names = new java.util.HashSet<>();
        for (String value : headers.getAll(HttpHeaders.CONNECTION)) {
            for (String name : value.split(",")) {
                names.add(name.strip().toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }
}
