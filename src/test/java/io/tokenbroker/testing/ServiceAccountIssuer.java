package io.tokenbroker.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * A stand-in for a cluster's service-account issuer: it signs projected ServiceAccount tokens the
 * way the Kubernetes API server does (RS256, {@code kid}, {@code sub=system:serviceaccount:NS:NAME})
 * with locally generated keys, and publishes the public keys at {@code /openid/v1/jwks}.
 */
public final class ServiceAccountIssuer implements AutoCloseable {

    public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    public static final String AUDIENCE = "token-broker";

    private final HttpServer server;
    private final List<RsaJsonWebKey> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger fetches = new AtomicInteger();

    private ServiceAccountIssuer(HttpServer server) {
        this.server = server;
    }

    public static ServiceAccountIssuer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            ServiceAccountIssuer issuer = new ServiceAccountIssuer(server);
            issuer.published.add(newKey("key-1"));
            server.createContext("/openid/v1/jwks", exchange -> {
                issuer.fetches.incrementAndGet();
                byte[] body = issuer.jwks().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return issuer;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String jwksUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/openid/v1/jwks";
    }

    /** How often the broker fetched the keys. */
    public int fetches() {
        return fetches.get();
    }

    /** A new signing key, generated locally, that the broker has not seen and the JWKS does not list. */
    public static RsaJsonWebKey newKey(String kid) {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId(kid);
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key the issuer signs with by default (published since start). */
    public RsaJsonWebKey signingKey() {
        return published.get(0);
    }

    /** Starts publishing {@code key}, as an API server does when its signing key is rotated. */
    public void publish(RsaJsonWebKey key) {
        published.add(key);
    }

    /** Stops publishing {@code key}, as an API server does once a rotated-out key has been retired. */
    public void withdraw(RsaJsonWebKey key) {
        published.remove(key);
    }

    /** A valid projected token of ServiceAccount {@code namespace/name}, for the broker's audience. */
    public String token(String namespace, String name) {
        return token(namespace, name, ISSUER, AUDIENCE, Instant.now().plus(Duration.ofHours(1)), published.get(0));
    }

    /** A token with every part chosen by the test, signed with {@code key} (published or not). */
    public String token(String namespace, String name, String issuer, String audience, Instant expiresAt,
            RsaJsonWebKey key) {
        return sign(claims(namespace, name, issuer, audience, expiresAt), key);
    }

    /** The claims of a valid token of ServiceAccount {@code namespace/name}, for a test to alter and {@link #sign}. */
    public static JwtClaims validClaims(String namespace, String name) {
        return claims(namespace, name, ISSUER, AUDIENCE, Instant.now().plus(Duration.ofHours(1)));
    }

    /** {@code claims} signed with {@code key}, as the API server signs them. */
    public static String sign(JwtClaims claims, RsaJsonWebKey key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token with {@code alg: none}: valid claims, no signature at all. */
    public String unsignedToken(String namespace, String name) {
        String header = base64Url("{\"alg\":\"none\",\"kid\":\"" + published.get(0).getKeyId() + "\"}");
        String payload = base64Url(claims(namespace, name, ISSUER, AUDIENCE, Instant.now().plusSeconds(3600)).toJson());
        return header + "." + payload + ".";
    }

    private static JwtClaims claims(String namespace, String name, String issuer, String audience, Instant expiresAt) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setAudience(audience);
        claims.setSubject("system:serviceaccount:" + namespace + ":" + name);
        claims.setIssuedAt(NumericDate.fromMilliseconds(expiresAt.minusSeconds(3600).toEpochMilli()));
        claims.setNotBefore(NumericDate.fromMilliseconds(expiresAt.minusSeconds(3600).toEpochMilli()));
        claims.setExpirationTime(NumericDate.fromMilliseconds(expiresAt.toEpochMilli()));
        return claims;
    }

    private String jwks() {
        List<JsonWebKey> publicKeys = published.stream()
                .<JsonWebKey>map(key -> {
                    try {
                        return JsonWebKey.Factory.newJwk(key.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
                    } catch (JoseException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
        return new JsonWebKeySet(publicKeys).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    private static String base64Url(String json) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
