package io.tokenbroker.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.Secret;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Checks the configuration first thing at start-up: the rules on single properties
 * ({@link PropertyRules}) and those that tie several together. A broken configuration stops the
 * start with every problem named at once; a risky one is started with a warning. Some rules hold in
 * production only: dev mode and tests talk to local stand-ins over plain HTTP and keep no Redis data
 * worth protecting.
 */
@Singleton
public class ConfigurationCheck {

    private static final Logger LOG = Logger.getLogger(ConfigurationCheck.class);

    private final BrokerConfig config;
    private final boolean redisConfigured;
    private final Optional<String> redisHosts;
    private final Duration idleTimeout;
    private volatile boolean verified;

    ConfigurationCheck(BrokerConfig config, @ConfigProperty(name = "quarkus.redis.hosts") Optional<String> redisHosts,
            @ConfigProperty(name = "quarkus.http.idle-timeout", defaultValue = "30M") Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
        this.config = config;
        this.redisConfigured = redisHosts.isPresent();
        this.redisHosts = redisHosts;
    }

    void onStart(@Observes @Priority(1) StartupEvent start) {
        verify();
    }

    /**
     * Stops the start, naming every problem at once, if the configuration is broken; else warns once of
     * what is risky. Called by the first bean that needs a sound configuration (the token store is made
     * while the HTTP routes are set up, before the start-up event) and at the start-up event.
     *
     * @throws ConfigurationException printed by Quarkus as its message alone, without a stack trace
     */
    public synchronized void verify() {
        if (verified) {
            return;
        }
        LaunchMode mode = LaunchMode.current();
        List<String> problems = problems(config, mode);
        if (StoreKind.chosen(config, redisConfigured, mode) == StoreKind.REDIS && !redisConfigured) {
            problems.add("quarkus.redis.hosts is not set, and tokens are kept in Redis (the default outside dev mode): "
                    + "point it at the shared Redis (e.g. redis://redis:6379), or set broker.store=memory for a "
                    + "single replica without Redis");
        }
        problems.addAll(ExampleValues.inRedisHosts(redisHosts, mode));
        if (!problems.isEmpty()) {
            throw new ConfigurationException("token-broker cannot start: " + problems.size() + " configuration "
                    + (problems.size() == 1 ? "problem" : "problems") + ":\n  - " + String.join("\n  - ", problems));
        }
        warnings(config, mode).forEach(LOG::warn);
        waitsUnderIdleTimeout(config, idleTimeout).forEach(LOG::warn);
        verified = true;
    }

    /**
     * A business call's legitimate wait (its body, a token if none is held, the platform's answer) should
     * end before the HTTP server cuts the connection as idle: Vert.x counts a request waiting for its
     * answer as idle, and would cut it without an answer. Warned of at start, one line per client.
     */
    static List<String> waitsUnderIdleTimeout(BrokerConfig config, Duration idleTimeout) {
        List<String> problems = new ArrayList<>();
        config.clients().forEach((name, client) -> {
            Duration body = config.proxy().bodyTimeout().compareTo(client.callTimeout()) < 0
                    ? config.proxy().bodyTimeout() : client.callTimeout();
            Duration longest = body.plus(config.lock().waitTimeout()).plus(client.callTimeout());
            if (longest.compareTo(idleTimeout) >= 0) {
                problems.add("broker.clients." + name + ".call-timeout (" + client.callTimeout() + ") with "
                        + "broker.proxy.body-timeout and broker.lock.wait-timeout lets a business call wait up to "
                        + longest + ", not below quarkus.http.idle-timeout (" + idleTimeout + "): a call that waits "
                        + "that long would be cut without an answer; raise quarkus.http.idle-timeout or lower the waits");
            }
        });
        return problems;
    }

    /** What is allowed but risky, one line each. */
    static List<String> warnings(BrokerConfig config, LaunchMode mode) {
        List<String> warnings = new ArrayList<>();
        if (config.platform().timeout().compareTo(config.lock().waitTimeout()) >= 0) {
            warnings.add("broker.platform.timeout (" + config.platform().timeout() + ") is not shorter than "
                    + "broker.lock.wait-timeout (" + config.lock().waitTimeout() + "): callers on other replicas "
                    + "stop waiting before a slow platform answers the lock holder");
        }
        // In production an unset broker.store means Redis (or no start at all: TokenStoreProducer).
        if (!mode.isDevOrTest() && config.store().kind().orElse(StoreKind.REDIS) == StoreKind.REDIS
                && config.store().encryptionKey().map(Secret::get).isEmpty()) {
            warnings.add("broker.store.encryption-key is not set: tokens are stored in Redis in the clear, usable by "
                    + "anyone who can read Redis or its backups (set it to the output of openssl rand -base64 32)");
        }
        return warnings;
    }

    /** Every rule {@code config} breaks when started in {@code mode}, one line each. */
    static List<String> problems(BrokerConfig config, LaunchMode mode) {
        List<String> problems = new ArrayList<>(PropertyRules.problems(config));
        config.clients().keySet().stream().filter(name -> !ClientNames.isValid(name)).forEach(name ->
                problems.add("broker.clients." + name + ": a client name is 1 to 64 letters, digits, '.', '-' or '_'"));
        if (!config.clients().containsKey(config.defaultClient())) {
            problems.add("broker.default-client is '" + config.defaultClient()
                    + "' but no broker.clients." + config.defaultClient() + ".* is configured");
        }
        config.clients().forEach((name, client) -> {
            if (client.secret().map(Secret::get).isPresent() == client.secretFile().isPresent()) {
                problems.add("broker.clients." + name + ": set exactly one of secret and secret-file");
            }
            client.secret().map(Secret::get).filter(String::isBlank).ifPresent(blank ->
                    problems.add("broker.clients." + name + ".secret must not be blank"));
            client.secretFile().filter(file -> !Files.isReadable(file)).ifPresent(file ->
                    problems.add("broker.clients." + name + ".secret-file: " + file + " cannot be read"));
        });
        config.callers().forEach((caller, grant) -> {
            if (grant.keySha256().isEmpty() && grant.serviceAccount().isEmpty()) {
                problems.add("broker.callers." + caller + ": set key-sha256, service-account or both");
            }
        });
        sharedCredential(config, "key-sha256", grant -> grant.keySha256().map(hex -> hex.toLowerCase(Locale.ROOT)),
                problems);
        sharedCredential(config, "service-account", BrokerConfig.Caller::serviceAccount, problems);
        insecureUrls(config, mode, problems);
        problems.addAll(ExampleValues.problems(config, mode));
        config.callers().forEach((caller, grant) -> grant.grantedClients().stream()
                .filter(client -> !client.equals("*") && !config.clients().containsKey(client))
                .forEach(client -> problems.add("broker.callers." + caller + ".clients names '" + client
                        + "', which is not a configured client")));
        boolean sealing = config.store().encryptionKey().map(Secret::get).isPresent();
        if (config.peers().filter(peers -> !peers.isEmpty()).isPresent() && !sealing) {
            problems.add("broker.peers is set without broker.store.encryption-key: records travel between replicas "
                    + "sealed with it, never in the clear");
        }
        if (config.store().previousEncryptionKey().map(Secret::get).isPresent() && !sealing) {
            problems.add("broker.store.previous-encryption-key is set without broker.store.encryption-key");
        }
        if (config.store().nextEncryptionKey().map(Secret::get).isPresent() && !sealing) {
            problems.add("broker.store.next-encryption-key is set without broker.store.encryption-key");
        }
        Duration handedOutFor = config.token().handedOutFor();
        if (handedOutFor.compareTo(Duration.ofSeconds(2)) < 0) {
            problems.add("broker.token.safety-margin must leave at least 2s of broker.token.lifetime");
        } else if (config.token().refreshAhead().compareTo(handedOutFor) >= 0) {
            problems.add("broker.token.refresh-ahead must be shorter than broker.token.lifetime minus "
                    + "broker.token.safety-margin (" + handedOutFor + "), or every token would be refreshed at once");
        }
        return problems;
    }

    /**
     * Callers sharing a {@code credential} (key hash or ServiceAccount) would silently replace each
     * other: each is named, never the shared value.
     */
    private static void sharedCredential(BrokerConfig config, String credential,
            Function<BrokerConfig.Caller, Optional<String>> value, List<String> problems) {
        Map<String, List<String>> callersByValue = new HashMap<>();
        new TreeMap<>(config.callers()).forEach((caller, grant) -> value.apply(grant).ifPresent(shared ->
                callersByValue.computeIfAbsent(shared, any -> new ArrayList<>()).add(caller)));
        callersByValue.values().stream().filter(callers -> callers.size() > 1)
                .map(callers -> callers.stream().map(caller -> "broker.callers." + caller + "." + credential)
                        .collect(Collectors.joining(", ")) + " are the same: give each caller its own")
                .sorted().forEach(problems::add);
    }

    /**
     * Over plain HTTP the platform secret and tokens, or the keys that decide who is a caller, could
     * be read or replaced on the way.
     */
    private static void insecureUrls(BrokerConfig config, LaunchMode mode, List<String> problems) {
        if (mode.isDevOrTest() || config.allowInsecureUrls()) {
            return;
        }
        config.clients().forEach((name, client) -> {
            plainHttp("broker.clients." + name + ".base-url", client.baseUrl(), problems);
            client.configuredApiBaseUrl().ifPresent(api ->
                    plainHttp("broker.clients." + name + ".api-base-url", api, problems));
        });
        plainHttp("broker.workload-identity.jwks-url", config.workloadIdentity().jwksUrl(), problems);
    }

    private static void plainHttp(String property, URI url, List<String> problems) {
        if ("http".equalsIgnoreCase(url.getScheme())) {
            problems.add(property + " uses plain http, which anyone on the way can read and alter: use https, "
                    + "or set broker.allow-insecure-urls=true");
        }
    }
}
