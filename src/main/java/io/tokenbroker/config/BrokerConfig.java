package io.tokenbroker.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.Secret;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything under {@code broker.*}: the platform clients, the token policy, storage and callers.
 * The rules each value must follow are checked at start-up by {@link PropertyRules} and
 * {@link ConfigurationCheck}.
 */
@ConfigMapping(prefix = "broker")
public interface BrokerConfig {

    /** Platform clients by name ({@code broker.clients.NAME.*}); at least the default client. */
    Map<String, Client> clients();

    /** The client served when {@code ?client=} is absent. Default: {@code default}. */
    @WithDefault("default")
    String defaultClient();

    /** Token lifetime policy. */
    Token token();

    /** The distributed refresh lock. */
    Lock lock();

    /** Where tokens are shared between replicas. */
    Store store();

    /** What a replica does when Redis is down and its token runs out. Default: {@code local}. */
    @WithDefault("local")
    RedisOutageMode redisOutage();

    /**
     * The other replicas' management interfaces, {@code host:port} each, a host possibly a DNS name of
     * several addresses (the headless management Service in Kubernetes): the second source of the newest
     * token for a replica cut off from Redis, asked before it calls the platform on its own. Records
     * travel sealed with {@code broker.store.encryption-key}, which is required with it. Unset: none.
     */
    Optional<List<String>> peers();

    /** Calls to the platform: time-outs, retries, circuit breaker, answer codes. */
    Platform platform();

    /** Internal services allowed to read tokens, by caller name ({@code broker.callers.CALLER.*}). */
    Map<String, Caller> callers();

    /** The audit trail (log category {@code token-broker.audit}). */
    Audit audit();

    /** How Kubernetes ServiceAccount tokens of callers are verified. */
    WorkloadIdentity workloadIdentity();

    /** Business calls through the broker ({@code /platform/CLIENT/PATH}). */
    Proxy proxy();

    /** Whether production accepts plain {@code http} platform and JWKS URLs (dev mode and tests always do). Default: {@code false}. */
    @WithDefault("false")
    boolean allowInsecureUrls();

    /** One set of platform credentials. */
    interface Client {
        /** The platform's base URL, e.g. {@code https://open.example.com}. Required. */
        URI baseUrl();

        /** The platform {@code clientId}. Required. */
        String clientId();

        /** The platform {@code secret}; never logged. Required unless {@code secret-file} is set. */
        Optional<Secret<String>> secret();

        /**
         * A file holding the platform {@code secret} (a mounted Kubernetes Secret): read again before
         * every platform call, so a rotated secret takes effect without a restart.
         */
        Optional<Path> secretFile();

        /** The {@code userType} parameter. Default: {@code 2}. */
        @WithDefault("2")
        String userType();

        /** Base URL of the platform's business APIs, e.g. {@code https://api.example.com}. Default: {@code base-url}. */
        @WithName("api-base-url")
        Optional<URI> configuredApiBaseUrl();

        /** The base URL business calls go to: {@code api-base-url}, else {@code base-url}. */
        default URI apiBaseUrl() {
            return configuredApiBaseUrl().orElseGet(this::baseUrl);
        }

        /**
         * Envelope {@code code}s (with {@code ok} not true) that mean "token invalid or expired" in a
         * business call's answer; HTTP 401 always does. Default: {@code 401}.
         */
        @WithDefault("401")
        Set<Integer> tokenRejectedCodes();

        /** Time-out of one business call, from sending it to the answer's headers, at least 10 ms. Default: {@code 30s}. */
        @WithDefault("30s")
        Duration callTimeout();

        /** Most business calls of this client in flight at once on a replica, at least 1; beyond: 503. Default: {@code 64}. */
        @WithDefault("64")
        int maxCallsInFlight();

        /**
         * The share of {@code max-calls-in-flight} one caller may hold at once, above 0 and at most 1
         * (rounded up to at least one place): a caller trickling its bodies or calling a slow API cannot
         * take every place of the client. Default: {@code 0.75}.
         */
        @WithDefault("0.75")
        double maxCallerShare();
    }

    /** How long tokens are handed out. */
    interface Token {
        /** How long the platform says a token lives, 2 s to 2 h. Default: {@code 2h}. */
        @WithDefault("2h")
        Duration lifetime();

        /**
         * Handed out until {@code acquired-at + lifetime - safety-margin}; also trims the Redis TTL.
         * Default: {@code 5m} for the default 2 h lifetime, the same share (1/24) of a shorter one.
         */
        @WithName("safety-margin")
        Optional<Duration> configuredSafetyMargin();

        /**
         * Refresh in the background when less than this is left. Default: {@code 15m} for the default
         * 2 h lifetime, the same share (1/8) of a shorter one.
         */
        @WithName("refresh-ahead")
        Optional<Duration> configuredRefreshAhead();

        /** The safety margin in force. */
        default Duration safetyMargin() {
            return configuredSafetyMargin().orElseGet(() -> shareOf(lifetime(), Duration.ofMinutes(5)));
        }

        /** The refresh-ahead time in force. */
        default Duration refreshAhead() {
            return configuredRefreshAhead().orElseGet(() -> shareOf(lifetime(), Duration.ofMinutes(15)));
        }

        /** How long a token is handed out after its request was sent: lifetime minus safety margin. */
        default Duration handedOutFor() {
            return lifetime().minus(safetyMargin());
        }

        /** {@code ofTwoHours} scaled from the platform's 2 h default lifetime to {@code lifetime}. */
        static Duration shareOf(Duration lifetime, Duration ofTwoHours) {
            return Duration.ofMillis(ofTwoHours.toMillis() * lifetime.toMillis() / Duration.ofHours(2).toMillis());
        }

        /** Least time between two forced refreshes ({@code POST /token/refresh}) of a client. Default: {@code 30s}. */
        @WithDefault("30s")
        Duration minForcedRefreshInterval();

        /**
         * How many forced platform calls one caller may cause per {@code min-forced-refresh-interval},
         * across all the clients it reads, at least 1. Default: {@code 10}.
         */
        @WithDefault("10")
        int maxForcedRefreshesPerCaller();

        /**
         * How many forced refreshes ({@code POST /token/refresh}, tokens refused in business calls, operators'
         * rotations) a client may have in a day, across all replicas, at least 1: each kills every caller's
         * token and spends the platform's credential calls (WeChat: 2,000 a day). Default: {@code 200}.
         */
        @WithDefault("200")
        int maxForcedRefreshesPerDay();

        /**
         * How far the least time between two forced refreshes of a client grows (doubling from
         * {@code min-forced-refresh-interval}) while the tokens they produce are refused again, which proves
         * the refusals are not about the token; a forced refresh that helps resets it. Default: {@code 1h}.
         */
        @WithDefault("1h")
        Duration longestForcedRefreshInterval();

        /** How often each replica checks its tokens against the store and refreshes ahead, at least 50 ms. Default: {@code 500ms}. */
        @WithDefault("500ms")
        Duration checkInterval();
    }

    /** The lock that makes one replica the only caller of the platform for a client. */
    interface Lock {
        /** Lease of the distributed refresh lock, at least 100 ms. Default: {@code 10s}. */
        @WithDefault("10s")
        Duration lease();

        /** How long a caller waits for another replica's acquisition before a 503, at least 100 ms. Default: {@code 15s}. */
        @WithDefault("15s")
        Duration waitTimeout();
    }

    /** Shared storage of the current tokens. */
    interface Store {
        /**
         * {@code redis} or {@code memory} ({@code broker.store}). Unset: Redis when
         * {@code quarkus.redis.hosts} is set, the in-memory store in dev mode, a start-up failure
         * otherwise.
         */
        @WithParentName
        Optional<StoreKind> kind();

        /**
         * Base64 of 32 random bytes: when set, tokens are stored in Redis as AES-256-GCM ciphertext.
         * Unset: stored in the clear.
         */
        Optional<Secret<String>> encryptionKey();

        /** The key before the last rotation: values sealed with it can still be read. */
        Optional<Secret<String>> previousEncryptionKey();

        /**
         * The key of the next rotation, readable but not yet used for sealing: set it on every replica
         * before any replica seals with it. Unset by default.
         */
        Optional<Secret<String>> nextEncryptionKey();

        /** Prefix of every Redis key. Default: {@code token-broker:}. */
        @WithDefault("token-broker:")
        String keyPrefix();
    }

    /** Fault tolerance around the platform's credential endpoint. */
    interface Platform {
        /**
         * How long callers wait for one attempt (connect and answer), at least 10 ms; longer while the
         * platform's recent answers took longer. A call that outlives it is not abandoned (see
         * {@code late-answer-timeout}) and never retried: it may still issue a token. Default: {@code 10s}.
         */
        @WithDefault("10s")
        Duration timeout();

        /**
         * How long a credential call that outlived {@code timeout} may still answer, at least
         * {@code timeout}: its callers got a 503 at {@code timeout}, but the call goes on in the background
         * under the renewed lock, and the token it brings is stored and served (it is the platform's newest,
         * and may already have killed the previous one). Only past it is the call abandoned. Default:
         * {@code 60s}.
         */
        @WithDefault("60s")
        Duration lateAnswerTimeout();

        /**
         * Retries after the first attempt, only for failures that certainly issued no token (no
         * connection, HTTP 429 or 503, a busy code). Default: {@code 2}.
         */
        @WithDefault("2")
        int maxRetries();

        /** First retry delay, doubled on each retry. Default: {@code 200ms}. */
        @WithDefault("200ms")
        Duration retryDelay();

        /** Upper bound of the retry delay. Default: {@code 2s}. */
        @WithDefault("2s")
        Duration retryMaxDelay();

        /** Random jitter added to or taken from each retry delay. Default: {@code 100ms}. */
        @WithDefault("100ms")
        Duration retryJitter();

        /** Share of failed calls (of the last {@code breaker-volume}) that opens a client's breaker, 0.01 to 1. Default: {@code 0.5}. */
        @WithDefault("0.5")
        double breakerFailureRatio();

        /** How many recent calls the breaker judges. Default: {@code 4}. */
        @WithDefault("4")
        int breakerVolume();

        /** How long an open breaker stays open. Default: {@code 10s}. */
        @WithDefault("10s")
        Duration breakerDelay();

        /** How long rejected credentials are remembered and answered without calling the platform. Default: {@code 30s}. */
        @WithDefault("30s")
        Duration rejectionHold();

        /** Envelope {@code code}s (with {@code ok=false}) meaning "busy, try again". Default: {@code 429,500,502,503,504}. */
        @WithDefault("429,500,502,503,504")
        Set<Integer> busyCodes();
    }

    /** One internal service that may read tokens: by API key, by ServiceAccount, or both. */
    interface Caller {
        /** Hex SHA-256 of the caller's API key; the key itself is never configured. */
        Optional<String> keySha256();

        /**
         * The caller's Kubernetes ServiceAccount as {@code NAMESPACE/NAME}: its projected token
         * ({@code system:serviceaccount:NAMESPACE:NAME}) authenticates it.
         */
        Optional<String> serviceAccount();

        /**
         * Client names the caller may read, or {@code *} for all. Required, but for an operator
         * ({@code admin=true}), which may then have no other grant at all.
         */
        Optional<List<String>> clients();

        /** {@link #clients()}, none when unset. */
        default List<String> grantedClients() {
            return clients().orElse(List.of());
        }

        /**
         * Platform path patterns the caller may call through {@code /platform/CLIENT/...}: {@code *}
         * matches one segment, {@code **} any number. Default: {@code /**}.
         */
        @WithDefault("/**")
        List<String> platformPaths();

        /**
         * Whether the caller may read the token itself ({@code GET /token}, {@code POST /token/refresh});
         * {@code false}: business calls through the broker only. Default: {@code true}.
         */
        @WithDefault("true")
        boolean tokenAccess();

        /**
         * Whether the caller is an operator: it may see every client's token state (never the token)
         * and rotate tokens, on the management interface ({@code /q/broker/...}). Default: {@code false}.
         */
        @WithDefault("false")
        boolean admin();
    }

    /** Limits of business calls through the broker. */
    interface Proxy {
        /** Largest request body of a business call; larger ones are refused (413) unsent. Default: {@code 1M}. */
        @WithDefault("1M")
        MemorySize maxBodySize();

        /**
         * Most request-body bytes this replica holds at once across every business call of every client
         * (bodies are read whole before they are sent); beyond it a call gets 503 + Retry-After, so a
         * caller granted many clients cannot exhaust the heap. At least {@code max-body-size}. Default:
         * {@code 64M}.
         */
        @WithDefault("64M")
        MemorySize maxBufferedBodies();

        /**
         * How long a caller may take to send a business call's body, at most the client's
         * {@code call-timeout}; a slower body gets 408 and gives its place back. Default: {@code 10s}.
         */
        @WithDefault("10s")
        Duration bodyTimeout();
    }

    /** What the audit trail writes for hand-outs and denials; refreshes always get a line each. */
    interface Audit {
        /** {@code summary} (the first of a kind, then counts; for hand-outs and denials) or {@code every}. Default: {@code summary}. */
        @WithDefault("summary")
        HandOutAudit handOuts();

        /** How often hand-out and denial counts are written in {@code summary} mode, at least 1 s. Default: {@code 60s}. */
        @WithDefault("60s")
        Duration summaryInterval();
    }

    /** Verification of ServiceAccount tokens against the cluster's service-account issuer. */
    interface WorkloadIdentity {
        /** The {@code iss} the tokens must carry. Default: {@code https://kubernetes.default.svc.cluster.local}. */
        @WithDefault("https://kubernetes.default.svc.cluster.local")
        String issuer();

        /** Where the issuer publishes its signing keys. Default: {@code https://kubernetes.default.svc/openid/v1/jwks}. */
        @WithDefault("https://kubernetes.default.svc/openid/v1/jwks")
        URI jwksUrl();

        /** The {@code aud} the tokens must be projected for. Default: {@code token-broker}. */
        @WithDefault("token-broker")
        String audience();

        /** How often the signing keys are fetched again, at least 1 s. Default: {@code 10m}. */
        @WithDefault("10m")
        Duration jwksRefreshInterval();

        /** Shortest time between two fetches caused by tokens signed with an unknown key. Default: {@code 30s}. */
        @WithDefault("30s")
        Duration jwksMinRefreshInterval();

        /** Tolerated clock difference for {@code exp}, {@code nbf} and {@code iat}. Default: {@code 30s}. */
        @WithDefault("30s")
        Duration clockSkew();

        /** Longest lifetime ({@code exp - iat}) of an accepted token, at least 10 min. Default: {@code 24h}. */
        @WithDefault("24h")
        Duration maxTokenLifetime();

        /**
         * PEM file of the CA that signs the JWKS endpoint's certificate (in a pod:
         * {@code /var/run/secrets/kubernetes.io/serviceaccount/ca.crt}). Unset: the JVM's trust store.
         */
        Optional<Path> jwksCaFile();

        /**
         * File holding a bearer token the JWKS endpoint is fetched with (in a pod: the broker's own
         * {@code /var/run/secrets/kubernetes.io/serviceaccount/token}). Unset: fetched anonymously.
         */
        Optional<Path> jwksTokenFile();
    }
}
