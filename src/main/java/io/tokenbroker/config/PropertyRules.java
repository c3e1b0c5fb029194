package io.tokenbroker.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules on single {@code broker.*} properties: presence, ranges and formats. Each broken rule is
 * reported with its property name, and {@link ConfigurationCheck} stops the start with all of them.
 *
 * <p>These rules were Bean Validation constraints on {@link BrokerConfig}. Hibernate Validator,
 * bootstrapped for them alone in static initialisation, took 0.7 s of a 2.3 s JVM start (README,
 * "Start-up"), against a 1.5 s target for the first token.
 */
final class PropertyRules {

    private static final Pattern SHA_256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern SERVICE_ACCOUNT = Pattern.compile(ServiceAccounts.PATTERN);

    private final List<String> problems = new ArrayList<>();

    private PropertyRules() {
    }

    /** Every single-property rule {@code config} breaks, as one line each. */
    static List<String> problems(BrokerConfig config) {
        PropertyRules rules = new PropertyRules();
        rules.clients(config);
        rules.callers(config);
        rules.durations(config);
        rules.platform(config.platform());
        rules.notBlank("broker.store.key-prefix", config.store().keyPrefix());
        rules.notBlank("broker.workload-identity.issuer", config.workloadIdentity().issuer());
        rules.notBlank("broker.workload-identity.audience", config.workloadIdentity().audience());
        return rules.problems;
    }

    private void clients(BrokerConfig config) {
        if (config.clients().isEmpty()) {
            problems.add("broker.clients is empty: configure at least broker.clients."
                    + config.defaultClient() + ".base-url, client-id and secret");
        }
        if (!ClientNames.isValid(config.defaultClient())) {
            problems.add("broker.default-client: a client name is 1 to 64 letters, digits, '.', '-' or '_'");
        }
        config.clients().forEach((name, client) -> {
            String property = "broker.clients." + name;
            notBlank(property + ".client-id", client.clientId());
            notBlank(property + ".user-type", client.userType());
            client.configuredApiBaseUrl().ifPresent(url -> httpUrl(property + ".api-base-url", url));
            atLeast(property + ".call-timeout", client.callTimeout(), Duration.ofMillis(10));
            if (client.maxCallsInFlight() < 1) {
                problems.add(property + ".max-calls-in-flight must be 1 or more");
            }
            if (!(client.maxCallerShare() > 0 && client.maxCallerShare() <= 1)) {
                problems.add(property + ".max-caller-share must be above 0 and at most 1");
            }
        });
        if (config.proxy().maxBodySize().asLongValue() < 0) {
            problems.add("broker.proxy.max-body-size must not be negative");
        }
        if (config.proxy().maxBufferedBodies().asLongValue() < config.proxy().maxBodySize().asLongValue()) {
            problems.add("broker.proxy.max-buffered-bodies must be at least broker.proxy.max-body-size");
        }
        atLeast("broker.proxy.body-timeout", config.proxy().bodyTimeout(), Duration.ofMillis(10));
    }

    private void callers(BrokerConfig config) {
        config.callers().forEach((caller, grant) -> {
            String property = "broker.callers." + caller;
            matches(property + ".key-sha256", grant.keySha256(), SHA_256_HEX,
                    "must be 64 hex digits (the SHA-256 of the API key)");
            matches(property + ".service-account", grant.serviceAccount(), SERVICE_ACCOUNT,
                    "must be NAMESPACE/NAME");
            if (grant.grantedClients().isEmpty() && !grant.admin()) {
                problems.add(property + ".clients is empty: name the clients the caller may read, or *");
            }
            grant.grantedClients().stream().filter(client -> !client.equals("*") && !ClientNames.isValid(client))
                    .forEach(client -> problems.add(property + ".clients: '" + client
                            + "' is neither * nor a client name"));
            grant.platformPaths().stream().map(PlatformPathPattern::problem).flatMap(Optional::stream)
                    .forEach(problem -> problems.add(property + ".platform-paths: " + problem));
        });
    }

    private void durations(BrokerConfig config) {
        BrokerConfig.Token token = config.token();
        between("broker.token.lifetime", token.lifetime(), Duration.ofSeconds(2), Duration.ofHours(2));
        token.configuredSafetyMargin().ifPresent(margin ->
                atLeast("broker.token.safety-margin", margin, Duration.ofMillis(1)));
        token.configuredRefreshAhead().ifPresent(ahead -> atLeast("broker.token.refresh-ahead", ahead, Duration.ZERO));
        atLeast("broker.token.min-forced-refresh-interval", token.minForcedRefreshInterval(), Duration.ZERO);
        if (token.maxForcedRefreshesPerDay() < 1) {
            problems.add("broker.token.max-forced-refreshes-per-day must be 1 or more");
        }
        atLeast("broker.token.longest-forced-refresh-interval", token.longestForcedRefreshInterval(),
                token.minForcedRefreshInterval());
        if (token.maxForcedRefreshesPerCaller() < 1) {
            problems.add("broker.token.max-forced-refreshes-per-caller must be 1 or more");
        }
        atLeast("broker.token.check-interval", token.checkInterval(), Duration.ofMillis(50));
        atLeast("broker.lock.lease", config.lock().lease(), Duration.ofMillis(100));
        atLeast("broker.lock.wait-timeout", config.lock().waitTimeout(), Duration.ofMillis(100));
        atLeast("broker.audit.summary-interval", config.audit().summaryInterval(), Duration.ofSeconds(1));
        atLeast("broker.workload-identity.jwks-refresh-interval", config.workloadIdentity().jwksRefreshInterval(),
                Duration.ofSeconds(1));
        // Kubernetes projects no token for less than 10 min: a shorter limit would refuse every one.
        atLeast("broker.workload-identity.max-token-lifetime", config.workloadIdentity().maxTokenLifetime(),
                Duration.ofMinutes(10));
    }

    private void platform(BrokerConfig.Platform platform) {
        atLeast("broker.platform.timeout", platform.timeout(), Duration.ofMillis(10));
        atLeast("broker.platform.late-answer-timeout", platform.lateAnswerTimeout(), platform.timeout());
        if (platform.maxRetries() < 0) {
            problems.add("broker.platform.max-retries must be 0 or more");
        }
        if (platform.breakerFailureRatio() < 0.01 || platform.breakerFailureRatio() > 1.0) {
            problems.add("broker.platform.breaker-failure-ratio must be between 0.01 and 1.0");
        }
        if (platform.breakerVolume() < 1) {
            problems.add("broker.platform.breaker-volume must be 1 or more");
        }
        atLeast("broker.platform.retry-delay", platform.retryDelay(), Duration.ZERO);
        atLeast("broker.platform.retry-jitter", platform.retryJitter(), Duration.ZERO);
        // SmallRye's exponential backoff refuses, at the first call, a cap that is not above the delay.
        if (platform.retryMaxDelay().compareTo(platform.retryDelay()) <= 0) {
            problems.add("broker.platform.retry-max-delay must be longer than broker.platform.retry-delay (is "
                    + platform.retryMaxDelay() + ", delay " + platform.retryDelay() + ")");
        }
    }

    /** An absolute {@code http} or {@code https} URL without query or fragment: paths are appended to it. */
    private void httpUrl(String property, java.net.URI url) {
        boolean web = "http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme());
        if (!web || url.getHost() == null || url.getRawQuery() != null || url.getRawFragment() != null
                || url.getRawUserInfo() != null) {
            problems.add(property + " must be an http or https URL with a host and no query, fragment or user info");
        }
    }

    private void notBlank(String property, String value) {
        if (value == null || value.isBlank()) {
            problems.add(property + " must not be blank");
        }
    }

    private void matches(String property, Optional<String> value, Pattern pattern, String rule) {
        value.filter(set -> !pattern.matcher(set).matches()).ifPresent(set -> problems.add(property + " " + rule));
    }

    private void atLeast(String property, Duration value, Duration least) {
        if (value.compareTo(least) < 0) {
            problems.add(property + " must be at least " + least + " (is " + value + ")");
        }
    }

    private void between(String property, Duration value, Duration least, Duration most) {
        if (value.compareTo(least) < 0 || value.compareTo(most) > 0) {
            problems.add(property + " must be between " + least + " and " + most + " (is " + value + ")");
        }
    }
}
