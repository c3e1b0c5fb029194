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
    void smallAnswersOfAnyDeclaredTypeAndJsonStreamsAreRead() {
        assertThat(TokenRefusal.inspectable(headers("application/json;charset=UTF-8", null))).isTrue();
        assertThat(TokenRefusal.inspectable(headers("application/json", "65536"))).isTrue();
        assertThat(TokenRefusal.inspectable(headers("application/json", "65537"))).isFalse();
        assertThat(TokenRefusal.inspectable(headers("application/problem+json", "10"))).isTrue();
        assertThat(TokenRefusal.inspectable(headers("Application/JSON ; charset=utf-8", null))).isTrue();
        // Gateways label small error envelopes as anything: a declared small length is read whatever the type.
        assertThat(TokenRefusal.inspectable(headers("application/octet-stream", "10"))).isTrue();
        assertThat(TokenRefusal.inspectable(headers("text/html", "120"))).isTrue();
        assertThat(TokenRefusal.inspectable(headers(null, "10"))).isTrue();
        assertThat(TokenRefusal.inspectable(headers(null, null))).isTrue();
        assertThat(TokenRefusal.inspectable(headers("text/plain", null))).isTrue();
        // Without a length, only what may be an envelope is held back: never a stream of another type.
        assertThat(TokenRefusal.inspectable(headers("application/x-ndjson", null))).isFalse();
        assertThat(TokenRefusal.inspectable(headers("application/octet-stream", null))).isFalse();
        assertThat(TokenRefusal.inspectable(headers("text/event-stream", null))).isFalse();
        assertThat(TokenRefusal.inspectable(headers("text/event-stream", "10"))).isFalse();
        assertThat(TokenRefusal.inspectable(headers("multipart/mixed; boundary=x", "10"))).isFalse();
    }

    @Test
    void compressedAnswersAreReadWhenTheyCanBeInflated() {
        assertThat(TokenRefusal.inspectable(headers("application/json", "10").add("Content-Encoding", "gzip"))).isTrue();
        assertThat(TokenRefusal.inspectable(headers("application/json", null).add("Content-Encoding", "deflate")))
                .isTrue();
        assertThat(TokenRefusal.inspectable(headers("application/json", "10").add("Content-Encoding", "br"))).isFalse();
        assertThat(TokenRefusal.inspectable(headers("application/json", "10").add("Content-Encoding", "gzip, br")))
                .isFalse();
    }

    @Test
    void aGzippedOrDeflatedEnvelopeRefusesTheTokenLikeAPlainOne() {
        TokenRefusal refusal = new TokenRefusal(Set.of(401, 40001));
        byte[] envelope = "{\"ok\":false,\"code\":40001,\"message\":\"token expired\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThat(refusal.byEnvelope(Buffer.buffer(gzip(envelope)), "gzip")).isTrue();
        assertThat(refusal.byEnvelope(Buffer.buffer(deflate(envelope, false)), "deflate")).isTrue();
        assertThat(refusal.byEnvelope(Buffer.buffer(deflate(envelope, true)), "deflate")).as("raw deflate").isTrue();
        assertThat(refusal.byEnvelope(Buffer.buffer(envelope), "identity")).isTrue();
        assertThat(refusal.byEnvelope(Buffer.buffer(envelope), "gzip")).as("not gzip at all").isFalse();
    }

    @Test
    void aGzipBombIsInflatedNoFurtherThanTheLimitAndRefusesNothing() {
        TokenRefusal refusal = new TokenRefusal(Set.of(401));
        byte[] bomb = new byte[16 * 1024 * 1024];
        byte[] head = "{\"ok\":false,\"code\":401,\"pad\":\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(head, 0, bomb, 0, head.length);
        java.util.Arrays.fill(bomb, head.length, bomb.length, (byte) 'a');
        byte[] compressed = gzip(bomb);
        assertThat(compressed.length).as("a bomb: small compressed").isLessThan(TokenRefusal.MOST_INSPECTED);

        assertThat(refusal.byEnvelope(Buffer.buffer(compressed), "gzip")).isFalse();
    }

    private static byte[] gzip(byte[] plain) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(out)) {
            zip.write(plain);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] plain, boolean raw) {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, raw);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream zip = new java.util.zip.DeflaterOutputStream(out, deflater)) {
            zip.write(plain);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        return out.toByteArray();
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
