package io.tokenbroker.security;

import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Knows the callers' API keys by their SHA-256 only, and recognises a presented key by hashing it
 * and comparing in constant time against every configured hash.
 */
@ApplicationScoped
public class CallerRegistry {

    private static final String BEARER = "Bearer ";

    private record KnownKey(byte[] sha256, Caller caller) {
    }

    private final List<KnownKey> keys;
    private final BrokerMetrics metrics;

    CallerRegistry(BrokerConfig config, BrokerMetrics metrics) {
        this.metrics = metrics;
        this.keys = config.callers().entrySet().stream()
                .map(e -> new KnownKey(HexFormat.of().parseHex(e.getValue().keySha256().toLowerCase()),
                        new Caller(e.getKey(), Set.copyOf(e.getValue().clients()))))
                .toList();
    }

    /**
     * The caller an {@code Authorization} header identifies.
     *
     * @throws NotAuthenticatedException if it is missing, not a bearer key, or unknown
     */
    public Caller authenticate(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            metrics.authenticationFailed("missing");
            throw new NotAuthenticatedException("a bearer API key is required");
        }
        byte[] presented = sha256(authorization.substring(BEARER.length()).strip());
        Caller found = null;
        for (KnownKey key : keys) {
            // No early exit: the time taken does not tell which key, if any, matched.
            if (MessageDigest.isEqual(key.sha256(), presented) && found == null) {
                found = key.caller();
            }
        }
        if (found == null) {
            metrics.authenticationFailed("unknown-key");
            throw new NotAuthenticatedException("the API key is not known");
        }
        return found;
    }

    /** The SHA-256 of {@code key}, as {@code broker.callers.CALLER.key-sha256} holds it (hex). */
    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
