package io.tokenbroker.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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

    private static final Set<String> HOP_BY_HOP = ignoringCase("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "http2-settings", "proxy-authenticate");
    private static final Set<String> NEVER_TO_PLATFORM = ignoringCase("authorization", "proxy-authorization",
            "cookie", "access-token", "request-id", "forwarded", "via", "host", "content-length", "expect",
            // Some servers route by these instead of the request line: they would bypass the path grants.
            "x-original-url", "x-rewrite-url");
    private static final Set<String> NEVER_TO_CALLER = ignoringCase("set-cookie", "set-cookie2", "access-token",
            "request-id");
    private static final String X_FORWARDED = "x-forwarded-";

    private ForwardedHeaders() {
    }

    /** Copies the caller's headers that go on to the platform into {@code sent} (without the two the broker adds). */
    static void towardsPlatform(MultiMap caller, MultiMap sent) {
        Set<String> listed = connectionListed(caller);
        for (Map.Entry<String, String> header : caller) {
            String name = header.getKey();
            if (!HOP_BY_HOP.contains(name) && !NEVER_TO_PLATFORM.contains(name) && !listed.contains(name)
                    && !name.regionMatches(true, 0, X_FORWARDED, 0, X_FORWARDED.length())) {
                sent.add(name, header.getValue());
            }
        }
    }

    /** Copies the platform's answer headers that go back to the caller into {@code answer}. */
    static void towardsCaller(MultiMap platform, MultiMap answer) {
        Set<String> listed = connectionListed(platform);
        for (Map.Entry<String, String> header : platform) {
            String name = header.getKey();
            if (!HOP_BY_HOP.contains(name) && !NEVER_TO_CALLER.contains(name) && !listed.contains(name)) {
                answer.add(name, header.getValue());
            }
        }
    }

    /**
     * Names a {@code Connection} header declares hop-by-hop, compared ignoring case. The usual values
     * ({@code keep-alive}, {@code close}) name nothing else and cost no parsing.
     */
    private static Set<String> connectionListed(MultiMap headers) {
        String only = headers.get(HttpHeaders.CONNECTION);
        if (only == null || only.equalsIgnoreCase("keep-alive") || only.equalsIgnoreCase("close")) {
            if (only == null || headers.getAll(HttpHeaders.CONNECTION).size() == 1) {
                return Set.of();
            }
        }
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String value : headers.getAll(HttpHeaders.CONNECTION)) {
            for (String name : value.split(",")) {
                names.add(name.strip());
            }
        }
        return names;
    }

    private static Set<String> ignoringCase(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Arrays.asList(names));
        return Collections.unmodifiableSet(set);
    }
}
