package io.tokenbroker.security;

import io.tokenbroker.config.BrokerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * The service-account issuer's signing keys (its JWKS), fetched in the background and held in memory
 * so that verifying a caller's token never waits on the network. A token signed with a key not in
 * hand asks for an early fetch (at most once per {@code jwks-min-refresh-interval}) and is refused.
 * Each change of the key set bumps its {@link #generation()}, so what was verified with the old keys
 * can be forgotten.
 */
final class ServiceAccountKeys implements VerificationKeyResolver, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServiceAccountKeys.class);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);

    private final BrokerConfig.WorkloadIdentity config;
    private final Clock clock;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<Instant> lastEarlyFetch = new AtomicReference<>(Instant.EPOCH);
    private volatile KeySet keys = new KeySet(List.of(), 0);

    /**
     * One fetched JWKS, jose4j's resolver over it (which picks a key by {@code kid} and type), and
     * which version of the key set it is.
     */
    private record KeySet(List<JsonWebKey> list, JwksVerificationKeyResolver resolver, Set<String> published,
            long generation) {

        KeySet(List<JsonWebKey> list, long generation) {
            this(List.copyOf(list), new JwksVerificationKeyResolver(list), published(list), generation);
        }

        /** The keys as the issuer publishes them (public parts, {@code kid}, {@code alg}), in any order. */
        private static Set<String> published(List<JsonWebKey> list) {
            return list.stream().map(key -> key.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY))
                    .collect(Collectors.toUnmodifiableSet());
        }

        /** This set, or the next generation holding {@code fetched} if that differs from it. */
        KeySet updatedWith(List<JsonWebKey> fetched) {
            return published.equals(published(fetched)) ? this : new KeySet(fetched, generation + 1);
        }
    }

    ServiceAccountKeys(BrokerConfig.WorkloadIdentity config, Clock clock, ScheduledExecutorService scheduler) {
        this.config = config;
        this.clock = clock;
        this.scheduler = scheduler;
        this.http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).sslContext(sslContext(config)).build();
    }

    /** Fetches the keys in the background now, then every {@code jwks-refresh-interval}. */
    void start() {
        long every = config.jwksRefreshInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::fetch, 0, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext) throws UnresolvableKeyException {
        try {
            return keys.resolver().resolveKey(jws, nestingContext);
        } catch (UnresolvableKeyException unknown) {
            fetchEarly();
            throw unknown;
        }
    }

    /** Whether a fetch has ever succeeded. */
    boolean loaded() {
        return !keys.list().isEmpty();
    }

    /** Grows by one each time a fetch finds the key set changed (a key added, withdrawn or altered). */
    long generation() {
        return keys.generation();
    }

    private void fetchEarly() {
        Instant now = clock.instant();
        Instant last = lastEarlyFetch.get();
        if (now.isAfter(last.plus(config.jwksMinRefreshInterval())) && lastEarlyFetch.compareAndSet(last, now)) {
            scheduler.execute(this::fetch);
        }
    }

    private void fetch() {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(config.jwksUrl()).timeout(HTTP_TIMEOUT)
                    .header("Accept", "application/jwk-set+json, application/json");
            if (config.jwksTokenFile().isPresent()) {
                request.header("Authorization", "Bearer " + Files.readString(config.jwksTokenFile().get()).strip());
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOG.warnf("Service-account keys: %s answered HTTP %d; keeping the %d keys in hand",
                        config.jwksUrl(), response.statusCode(), keys.list().size());
                return;
            }
            install(new JsonWebKeySet(response.body()).getJsonWebKeys());
        } catch (IOException | JoseException | RuntimeException e) {
            LOG.warnf("Service-account keys: cannot fetch %s (%s); keeping the %d keys in hand",
                    config.jwksUrl(), e.getClass().getSimpleName(), keys.list().size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes the fetched keys; only the scheduler's one thread fetches, so this is never raced. */
    private void install(List<JsonWebKey> fetched) {
        KeySet previous = keys;
        keys = previous.updatedWith(fetched);
        if (keys != previous) {
            LOG.infof("Service-account keys: %d loaded from %s; tokens verified with earlier keys will be "
                    + "verified again", fetched.size(), config.jwksUrl());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private static SSLContext sslContext(BrokerConfig.WorkloadIdentity config) {
        try {
            if (config.jwksCaFile().isEmpty()) {
                return SSLContext.getDefault();
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int index = 0;
            for (Certificate ca : certificates(config.jwksCaFile().get())) {
                trusted.setCertificateEntry("ca-" + index++, ca);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("broker.workload-identity.jwks-ca-file cannot be used: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(Path pem)
            throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }
}
