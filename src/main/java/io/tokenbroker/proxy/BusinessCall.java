package io.tokenbroker.proxy;

import io.tokenbroker.security.Caller;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * A business call the route has let in: who makes it, where it goes, and its body, read whole.
 *
 * @param body the request body, or null when the caller sent none
 * @param release gives back the call's place among the client's calls in flight; run exactly once
 */
record BusinessCall(RoutingContext context, Caller caller, PlatformPath path, String grant, Buffer body,
        String remote, Runnable release) {

    /** The client whose token the call carries. */
    String client() {
        return path.client();
    }

    /** The platform path with the caller's query, raw: what is appended to the client's api-base-url. */
    String target() {
        String query = context.request().query();
        return query == null ? path.rawPath() : path.rawPath() + '?' + query;
    }

    /** The caller's own {@code X-Request-Id} as sent (the audit trail writes only a plain id), or null. */
    String callerRequestId() {
        return context.request().getHeader("X-Request-Id");
    }
}
