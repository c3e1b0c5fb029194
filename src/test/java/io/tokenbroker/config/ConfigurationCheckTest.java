package io.tokenbroker.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.LaunchMode;
import io.tokenbroker.testing.BrokerConfigs;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every configuration rule names the property it concerns; a sound configuration passes all of them.
 * Rules are checked as production starts them, the strictest, unless a test says otherwise.
 */
class ConfigurationCheckTest {

    private static final String KEY_SHA256 = "a".repeat(64);

    @Test
    void aSoundConfigurationHasNoProblems() {
        assertThat(problems(config(Map.of()))).isEmpty();
    }

    @Test
    void aBusinessCallWhoseLegitimateWaitOutlastsTheIdleTimeOutIsWarnedOfAtStart() {
        BrokerConfig config = config(Map.of("broker.clients.default.call-timeout", "50s"));

        assertThat(ConfigurationCheck.waitsUnderIdleTimeout(config, java.time.Duration.ofSeconds(60))).singleElement()
                .satisfies(problem -> assertThat(problem).startsWith("broker.clients.default.call-timeout (PT50S)")
                        .contains("quarkus.http.idle-timeout (PT1M)"));
        assertThat(ConfigurationCheck.waitsUnderIdleTimeout(config(Map.of()), java.time.Duration.ofSeconds(60)))
                .as("the defaults: 10 s body, 15 s lock wait, 30 s call").isEmpty();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            broker.default-client                          | bad name!  | broker.default-client: a client name is
            broker.clients.default.client-id               | ' '        | broker.clients.default.client-id must not be blank
            broker.clients.default.user-type               | ' '        | broker.clients.default.user-type must not be blank
            broker.callers.alice.key-sha256                | abc123     | broker.callers.alice.key-sha256 must be 64 hex digits
            broker.callers.alice.service-account           | Payments   | broker.callers.alice.service-account must be NAMESPACE/NAME
            broker.callers.alice.clients                   | default,a b | broker.callers.alice.clients: 'a b' is neither * nor a client name
            broker.clients.default.max-caller-share        | 0          | broker.clients.default.max-caller-share must be above 0 and at most 1
            broker.clients.default.max-caller-share        | 1.5        | broker.clients.default.max-caller-share must be above 0 and at most 1
            broker.proxy.max-buffered-bodies               | 1K         | broker.proxy.max-buffered-bodies must be at least broker.proxy.max-body-size
            broker.token.max-forced-refreshes-per-day      | 0          | broker.token.max-forced-refreshes-per-day must be 1 or more
            broker.platform.late-answer-timeout            | 1s         | broker.platform.late-answer-timeout must be at least PT10S
            broker.token.lifetime                          | 3h         | broker.token.lifetime must be between PT2S and PT2H
            broker.token.lifetime                          | 1s         | broker.token.lifetime must be between PT2S and PT2H
            broker.token.safety-margin                     | 0s         | broker.token.safety-margin must be at least PT0.001S
            broker.token.refresh-ahead                     | -1s        | broker.token.refresh-ahead must be at least PT0S
            broker.token.min-forced-refresh-interval       | -1s        | broker.token.min-forced-refresh-interval must be at least PT0S
            broker.token.max-forced-refreshes-per-caller   | 0          | broker.token.max-forced-refreshes-per-caller must be 1 or more
            broker.token.check-interval                    | 10ms       | broker.token.check-interval must be at least PT0.05S
            broker.lock.lease                              | 50ms       | broker.lock.lease must be at least PT0.1S
            broker.lock.wait-timeout                       | 0s         | broker.lock.wait-timeout must be at least PT0.1S
            broker.audit.summary-interval                  | 100ms      | broker.audit.summary-interval must be at least PT1S
            broker.workload-identity.jwks-refresh-interval | 0s         | broker.workload-identity.jwks-refresh-interval must be at least PT1S
            broker.workload-identity.max-token-lifetime    | 5m         | broker.workload-identity.max-token-lifetime must be at least PT10M
            broker.workload-identity.issuer                | ' '        | broker.workload-identity.issuer must not be blank
            broker.workload-identity.audience              | ' '        | broker.workload-identity.audience must not be blank
            broker.platform.timeout                        | 1ms        | broker.platform.timeout must be at least PT0.01S
            broker.platform.max-retries                    | -1         | broker.platform.max-retries must be 0 or more
            broker.platform.breaker-failure-ratio          | 1.5        | broker.platform.breaker-failure-ratio must be between 0.01 and 1.0
            broker.platform.breaker-failure-ratio          | 0          | broker.platform.breaker-failure-ratio must be between 0.01 and 1.0
            broker.platform.breaker-volume                 | 0          | broker.platform.breaker-volume must be 1 or more
            broker.platform.retry-max-delay                | 200ms      | broker.platform.retry-max-delay must be longer than broker.platform.retry-delay
            broker.platform.retry-jitter                   | -1ms       | broker.platform.retry-jitter must be at least PT0S
            broker.store.key-prefix                        | ' '        | broker.store.key-prefix must not be blank
            broker.clients.default.api-base-url            | ftp://x    | broker.clients.default.api-base-url must be an http or https URL
            broker.clients.default.api-base-url            | https://x/?a=1 | broker.clients.default.api-base-url must be an http or https URL
            broker.clients.default.call-timeout            | 1ms        | broker.clients.default.call-timeout must be at least PT0.01S
            broker.clients.default.max-calls-in-flight     | 0          | broker.clients.default.max-calls-in-flight must be 1 or more
            broker.callers.alice.platform-paths            | openapi/x  | broker.callers.alice.platform-paths: 'openapi/x' must start with /
            broker.callers.alice.platform-paths            | /a/b*      | broker.callers.alice.platform-paths: '/a/b*': * and ** stand for whole segments only
            broker.callers.alice.platform-paths            | /a//b      | broker.callers.alice.platform-paths: '/a//b' has an empty
            broker.store.previous-encryption-key           | old        | broker.store.previous-encryption-key is set without
            broker.store.next-encryption-key               | next       | broker.store.next-encryption-key is set without
            broker.callers.alice.clients                   | nobody     | broker.callers.alice.clients names 'nobody', which is not a configured client
            """)
    void aBrokenValueIsNamedWithItsProperty(String property, String value, String problem) {
        List<String> problems = problems(config(Map.of(property, value)));

        assertThat(problems).anySatisfy(line -> assertThat(line).startsWith(problem));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        List<String> problems = problems(config(Map.of(
                "broker.token.check-interval", "1ms",
                "broker.lock.lease", "1ms",
                "broker.callers.alice.key-sha256", "short")));

        assertThat(problems).hasSize(3);
    }

    @Test
    void aCallerNeedsAKeyOrAServiceAccount() {
        Map<String, String> properties = new HashMap<>(base());
        properties.remove("broker.callers.alice.key-sha256");

        assertThat(problems(build(properties)))
                .containsExactly("broker.callers.alice: set key-sha256, service-account or both");
    }

    @Test
    void aClientNeedsExactlyOneOfSecretAndSecretFile() {
        assertThat(problems(config(Map.of("broker.clients.default.secret-file", "/dev/null"))))
                .containsExactly("broker.clients.default: set exactly one of secret and secret-file");
    }

    @Test
    void plainHttpToThePlatformIsRefusedInProduction() {
        assertThat(problems(config(Map.of("broker.clients.default.base-url", "HTTP://open.example.com/api"))))
                .singleElement().satisfies(problem -> assertThat(problem)
                        .startsWith("broker.clients.default.base-url uses plain http")
                        .contains("broker.allow-insecure-urls=true")
                        .doesNotContain("open.example.com"));
    }

    @Test
    void plainHttpToTheBusinessApisIsRefusedInProduction() {
        assertThat(problems(config(Map.of("broker.clients.default.api-base-url", "http://api.example.com"))))
                .singleElement().satisfies(problem -> assertThat(problem)
                        .startsWith("broker.clients.default.api-base-url uses plain http")
                        .doesNotContain("api.example.com"));
    }

    @Test
    void plainHttpToTheJwksIsRefusedInProduction() {
        assertThat(problems(config(Map.of("broker.workload-identity.jwks-url", "http://10.0.0.1/openid/v1/jwks"))))
                .singleElement().satisfies(problem -> assertThat(problem)
                        .startsWith("broker.workload-identity.jwks-url uses plain http")
                        .doesNotContain("10.0.0.1"));
    }

    @Test
    void plainHttpIsAcceptedWhenAllowedAndInDevModeAndTests() {
        Map<String, String> plainHttp = Map.of("broker.clients.default.base-url", "http://localhost:8089",
                "broker.workload-identity.jwks-url", "http://localhost:8089/jwks");
        Map<String, String> allowed = new HashMap<>(plainHttp);
        allowed.put("broker.allow-insecure-urls", "true");

        assertThat(problems(config(allowed))).isEmpty();
        assertThat(ConfigurationCheck.problems(config(plainHttp), LaunchMode.DEVELOPMENT)).isEmpty();
        assertThat(ConfigurationCheck.problems(config(plainHttp), LaunchMode.TEST)).isEmpty();
    }

    @Test
    void twoCallersWithOneKeyAreRefusedWithoutNamingTheKey() {
        List<String> problems = problems(config(Map.of(
                "broker.callers.bob.key-sha256", KEY_SHA256.toUpperCase(Locale.ROOT),
                "broker.callers.bob.clients", "default")));

        assertThat(problems).containsExactly(
                "broker.callers.alice.key-sha256, broker.callers.bob.key-sha256 are the same: give each caller its own");
    }

    @Test
    void twoCallersWithOneServiceAccountAreRefused() {
        List<String> problems = problems(config(Map.of(
                "broker.callers.alice.service-account", "payments/orders",
                "broker.callers.bob.service-account", "payments/orders",
                "broker.callers.bob.clients", "default")));

        assertThat(problems).singleElement().satisfies(problem -> assertThat(problem)
                .startsWith("broker.callers.alice.service-account, broker.callers.bob.service-account are the same")
                .doesNotContain("payments/orders"));
    }

    @Test
    void productionWithRedisAndNoEncryptionKeyStartsWithAWarning() {
        assertThat(ConfigurationCheck.warnings(config(Map.of()), LaunchMode.NORMAL)).singleElement()
                .satisfies(warning -> assertThat(warning).startsWith("broker.store.encryption-key is not set"));
        assertThat(ConfigurationCheck.warnings(config(Map.of("broker.store", "redis")), LaunchMode.NORMAL)).hasSize(1);

        String key = Base64.getEncoder().encodeToString(new byte[32]);
        assertThat(ConfigurationCheck.warnings(config(Map.of("broker.store.encryption-key", key)), LaunchMode.NORMAL))
                .isEmpty();
        assertThat(ConfigurationCheck.warnings(config(Map.of("broker.store", "memory")), LaunchMode.NORMAL)).isEmpty();
        assertThat(ConfigurationCheck.warnings(config(Map.of()), LaunchMode.TEST)).isEmpty();
    }

    private static List<String> problems(BrokerConfig config) {
        return ConfigurationCheck.problems(config, LaunchMode.NORMAL);
    }

    private static BrokerConfig config(Map<String, String> overrides) {
        Map<String, String> properties = new HashMap<>(base());
        properties.putAll(overrides);
        return build(properties);
    }

    private static Map<String, String> base() {
        return Map.of(
                "broker.clients.default.base-url", "https://open.example.com",
                "broker.clients.default.client-id", "app",
                "broker.clients.default.secret", "s3cret",
                "broker.callers.alice.key-sha256", KEY_SHA256,
                "broker.callers.alice.clients", "default");
    }

    private static BrokerConfig build(Map<String, String> properties) {
        return BrokerConfigs.of(properties);
    }
}
