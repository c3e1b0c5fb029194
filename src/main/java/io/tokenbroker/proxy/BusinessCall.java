package io.tokenbroker.proxy;

import io.tokenbroker.security.Caller;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * A business call the route has let in: who makes it, where it goes, and its body, read whole.
 *
 * @param body the request body, or null when the caller sent none
 * @param release gives back the call's place among the client's calls in flight; run exactly once
 */
record BusinessCall(RoutingContext context, Caller caller, PlatformPath path, Buffer body, String remote,
        Runnable release) {

    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** The client whose token the call carries. */
    String client() {
        return path.client();
    }

    /** The platform path with the caller's query, raw: what is appended to the client's api-base-url. */
    String target() {
        String query = context.request().query();
        return query == null ? path.rawPath() : path.rawPath() + '?' + query;
    }

    /** The caller's own {@code X-Request-Id}, if it is a plain id, for logs; "-" otherwise. */
    String callerRequestId() {
        String id = context.request().getHeader("X-Request-Id");
        return id != null && SAFE_ID.matcher(id).matches() ? id : "-";
    }
}
