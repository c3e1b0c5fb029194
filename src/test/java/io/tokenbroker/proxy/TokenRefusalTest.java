package io.tokenbroker.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenRefusalTest {

    private final TokenRefusal refusal = new TokenRefusal(Set.of(401, 40001));

    private boolean refuses(String body) {
        return refusal.byEnvelope(Buffer.buffer(body));
    }

    @Test
    void anEnvelopeWithOkFalseAndAConfiguredCodeRefusesTheToken() {
        assertThat(refuses("{\"code\":401,\"message\":\"token invalid\",\"ok\":false}")).isTrue();
        assertThat(refuses("{\"ok\":false,\"data\":{\"nested\":[1,2]},\"code\":40001}")).isTrue();
        assertThat(refuses("{\"code\":\"40001\",\"ok\":false}")).isTrue();
        assertThat(refuses("{\"code\":401,\"ok\":null}")).as("ok null is not true").isTrue();
    }

    @Test
    void otherAnswersDoNot() {
        assertThat(refuses("{\"code\":401,\"ok\":true}")).isFalse();
        assertThat(refuses("{\"code\":500,\"ok\":false}")).isFalse();
        assertThat(refuses("{\"ok\":false}")).isFalse();
        assertThat(refuses("{\"code\":401}")).as("without ok it is no envelope").isFalse();
        assertThat(refuses("{\"data\":{\"code\":401,\"ok\":false},\"code\":200,\"ok\":true}")).isFalse();
        assertThat(refuses("[{\"code\":401}]")).isFalse();
        assertThat(refuses("not json")).isFalse();
        assertThat(refuses("{\"code\":401,\"ok\":fal")).isFalse();
    }

    @Test
    void onlySmallJsonAnswersAreRead() {
        assertThat(TokenRefusal.inspectable(headers("application/json;charset=UTF-8", null))).isTrue();
        assertThat(TokenRefusal.inspectable(headers("application/json", "65536"))).isTrue();
        assertThat(TokenRefusal.inspectable(headers("application/json", "65537"))).isFalse();
        assertThat(TokenRefusal.inspectable(headers("application/octet-stream", "10"))).isFalse();
        assertThat(TokenRefusal.inspectable(headers(null, "10"))).isFalse();
        assertThat(TokenRefusal.inspectable(headers("application/problem+json", "10"))).isTrue();
        assertThat(TokenRefusal.inspectable(headers("application/x-ndjson", null))).isFalse();
        assertThat(TokenRefusal.inspectable(headers("Application/JSON ; charset=utf-8", null))).isTrue();
        assertThat(TokenRefusal.inspectable(headers("application/jsonp", null))).isFalse();
        assertThat(TokenRefusal.inspectable(headers("text/json-ish", null))).isFalse();
        MultiMap gzipped = headers("application/json", "10").add("Content-Encoding", "gzip");
        assertThat(TokenRefusal.inspectable(gzipped)).isFalse();
    }

    @Test
    void http401AlwaysRefusesTheToken() {
        assertThat(TokenRefusal.byStatus(401)).isTrue();
        assertThat(TokenRefusal.byStatus(403)).isFalse();
    }

    private static MultiMap headers(String type, String length) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (type != null) {
            headers.add("Content-Type", type);
        }
        if (length != null) {
            headers.add("Content-Length", length);
        }
        return headers;
    }
}
