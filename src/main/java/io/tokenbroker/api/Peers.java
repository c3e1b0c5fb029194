package io.tokenbroker.api;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/** Who is on the other end of a request, as the audit trail records it. */
public final class Peers {

    private Peers() {
    }

    /**
     * The address of the TCP peer. Forwarded headers are not used: any caller can set them. (The
     * connection keeps its address; the request's own would parse them on every call.)
     */
    public static String remote(HttpServerRequest http) {
        SocketAddress peer = http.connection() == null ? null : http.connection().remoteAddress();
        return peer == null || peer.hostAddress() == null ? "-" : peer.hostAddress();
    }
}
