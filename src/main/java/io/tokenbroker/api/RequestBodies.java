package io.tokenbroker.api;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/** What a request's headers say about its body, for the routes that decide before reading it. */
public final class RequestBodies {

    private RequestBodies() {
    }

    /**
     * The declared {@code Content-Length}: 0 when absent, {@link Long#MAX_VALUE} when it is not a
     * number (no such body is ever accepted). The parsed number, never the header, goes into logs.
     */
    public static long declaredLength(MultiMap headers) {
        String length = headers.get(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return 0;
        }
        try {
            return Long.parseLong(length.strip());
        } catch (NumberFormatException malformed) {
            return Long.MAX_VALUE;
        }
    }

    /** Whether a body is declared; {@code Content-Length: 0}, which Java's HTTP client sends with every GET, is none. */
    public static boolean hasBody(MultiMap headers) {
        return declaredLength(headers) > 0 || headers.contains(HttpHeaders.TRANSFER_ENCODING);
    }
}
