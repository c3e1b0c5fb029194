package io.tokenbroker.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {

    @Test
    void theCallersCredentialsAndHopByHopHeadersNeverReachThePlatform() {
        MultiMap caller = MultiMap.caseInsensitiveMultiMap()
                .add("Authorization", "Bearer key").add("proxy-authorization", "Basic x").add("Cookie", "s=1")
                .add("Access-Token", "forged").add("Request-Id", "mine").add("Forwarded", "for=1.2.3.4")
                .add("X-Forwarded-For", "1.2.3.4").add("X-Forwarded-Host", "evil").add("Connection", "keep-alive, X-Secret")
                .add("X-Secret", "listed in Connection").add("Keep-Alive", "timeout=5").add("TE", "trailers")
                .add("Transfer-Encoding", "chunked").add("Upgrade", "h2c").add("Host", "broker").add("Content-Length", "3")
                .add("X-Original-URL", "/openapi/admin").add("X-Rewrite-URL", "/openapi/admin")
                .add("Content-Type", "application/json").add("X-Custom", "a").add("X-Custom", "b").add("Accept", "*/*");

        MultiMap forwarded = MultiMap.caseInsensitiveMultiMap();
        ForwardedHeaders.towardsPlatform(caller, forwarded);

        assertThat(forwarded.names()).containsExactlyInAnyOrder("Content-Type", "X-Custom", "Accept");
        assertThat(forwarded.getAll("X-Custom")).containsExactly("a", "b");
    }

    @Test
    void theCallerGetsThePlatformsHeadersButNoCookieOrToken() {
        MultiMap platform = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json")
                .add("Content-Length", "12").add("Set-Cookie", "session=1").add("Access-Token", "echoed")
                .add("Connection", "close").add("X-Platform-Trace", "t1").add("Transfer-Encoding", "chunked");
        MultiMap answer = MultiMap.caseInsensitiveMultiMap();

        ForwardedHeaders.towardsCaller(platform, answer);

        assertThat(answer.names()).containsExactlyInAnyOrder("Content-Type", "Content-Length", "X-Platform-Trace");
    }
}
