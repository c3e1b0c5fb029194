package io.tokenbroker.security;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.PlatformPathPattern;
import io.tokenbroker.config.ServiceAccounts;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.support.DaemonThreads;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Recognises callers by the bearer credential they present: an API key, known only by its SHA-256,
 * or a Kubernetes ServiceAccount token. Looking a key up by its hash tells nothing of the configured
 * keys through timing: the hash of a guess is unrelated to the hash of any key close to it.
 */
@Singleton
public class CallerRegistry {

    private static final String BEARER = "Bearer ";
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(CallerRegistry::newDigest);

    private final Map<ByteBuffer, Caller> byKeyHash;
    private final Optional<ServiceAccountKeys> keys;
    private final Optional<ServiceAccountTokens> serviceAccounts;
    private final BrokerMetrics metrics;

    CallerRegistry(BrokerConfig config, BrokerMetrics metrics, Clock clock) {
        this.metrics = metrics;
        Map<ByteBuffer, Caller> hashes = new HashMap<>();
        Map<String, Caller> subjects = new HashMap<>();
        config.callers().forEach((name, grant) -> {
            Caller caller = new Caller(name, Set.copyOf(grant.grantedClients()), grant.tokenAccess(),
                    grant.platformPaths().stream().map(PlatformPathPattern::of).toList(), grant.admin());
            grant.keySha256().ifPresent(hex -> hashes.put(ByteBuffer.wrap(HexFormat.of().parseHex(hex)), caller));
            grant.serviceAccount().ifPresent(account -> subjects.put(ServiceAccounts.subject(account), caller));
            watch(caller, config.clients().keySet());
        });
        this.byKeyHash = Map.copyOf(hashes);
        if (subjects.isEmpty()) {
            this.keys = Optional.empty();
            this.serviceAccounts = Optional.empty();
        } else {
            ServiceAccountKeys jwks = new ServiceAccountKeys(config.workloadIdentity(), clock,
                    DaemonThreads.scheduler("token-broker-jwks"));
            this.keys = Optional.of(jwks);
            this.serviceAccounts = Optional.of(new ServiceAccountTokens(config.workloadIdentity(), jwks, subjects, clock));
        }
    }

    /** The caller's metric series exist from start-up, for the clients it was granted. */
    private void watch(Caller caller, Set<String> clients) {
        metrics.watchCaller(caller.name(), clients.stream().filter(caller::mayRead).toList(),
                clients.stream().filter(caller::mayUse).toList());
    }

    void onStart(@Observes StartupEvent start) {
        keys.ifPresent(ServiceAccountKeys::start);
    }

    void onStop(@Observes ShutdownEvent stop) {
        keys.ifPresent(ServiceAccountKeys::close);
    }

    /**
     * The caller an {@code Authorization} header identifies when a look-up is enough: an API key, or a
     * ServiceAccount token verified before. Null otherwise, with nothing counted or logged: {@link
     * #authenticate} then decides, and gives the reason.
     */
    public Caller recognise(String authorization) {
        String credential = bearerCredential(authorization);
        if (credential == null) {
            return null;
        }
        Caller byKey = byKeyHash.get(ByteBuffer.wrap(sha256(credential)));
        if (byKey != null || serviceAccounts.isEmpty()) {
            return byKey;
        }
        return serviceAccounts.get().remembered(credential);
    }

    /**
     * The caller an {@code Authorization} header identifies: {@link #recognise}, else a ServiceAccount
     * token verified now (which may fetch the issuer's keys: call it off the I/O thread), else the
     * reason why not.
     *
     * @throws NotAuthenticatedException if it is missing, not a bearer credential, or not a caller's
     */
    public Caller authenticate(String authorization) {
        Caller known = recognise(authorization);
        if (known != null) {
            return known;
        }
        String credential = bearerCredential(authorization);
        if (credential == null) {
            metrics.authenticationFailed("missing");
            throw new NotAuthenticatedException("a bearer credential (API key or ServiceAccount token) is required");
        }
        if (serviceAccounts.isPresent() && ServiceAccountTokens.looksLikeJwt(credential)) {
            try {
                return serviceAccounts.get().authenticate(credential);
            } catch (NotAuthenticatedException refused) {
                metrics.authenticationFailed("invalid-service-account-token");
                throw refused;
            }
        }
        metrics.authenticationFailed("unknown-key");
        throw new NotAuthenticatedException("the API key is not known");
    }

    /** The credential of a {@code Bearer} header; null when there is none. */
    private static String bearerCredential(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).strip();
    }

    /** The SHA-256 of {@code key}, as {@code broker.callers.CALLER.key-sha256} holds it (hex). */
    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] sha256(String text) {
        return SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
