package io.tokenbroker.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.LaunchMode;
import io.tokenbroker.testing.BrokerConfigs;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The placeholders of the Kubernetes overlays stop a production start, each named by its property and
 * never by its value; dev mode, tests and real hosts that merely look alike are left alone.
 */
class ExampleValuesTest {

    private static final Path OVERLAYS = Path.of("k8s", "overlays");

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            broker.clients.default.base-url     | https://platform.example.invalid
            broker.clients.default.base-url     | https://PLATFORM.Example.Invalid./api
            broker.clients.default.api-base-url | https://api.example.invalid
            broker.clients.default.api-base-url | https://198.51.100.7
            broker.workload-identity.issuer     | https://oidc.example.invalid
            broker.workload-identity.jwks-url   | https://203.0.113.10:6443/openid/v1/jwks
            """)
    void anExampleUrlIsRefusedInProductionByItsProperty(String property, String value) {
        assertThat(ConfigurationCheck.problems(config(Map.of(property, value)), LaunchMode.NORMAL))
                .singleElement().satisfies(problem -> assertThat(problem)
                        .startsWith(property + " is an example value of the Kubernetes overlays")
                        .doesNotContain(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rediss://redis.example.invalid:6380", "redis://redis:6379,rediss://192.0.2.5:6380",
            "redis://:pass-4711@redis.example.invalid:6379"})
    void anExampleRedisHostIsRefusedInProductionWithoutItsValue(String hosts) {
        assertThat(ExampleValues.inRedisHosts(Optional.of(hosts), LaunchMode.NORMAL)).singleElement()
                .satisfies(problem -> assertThat(problem).startsWith("quarkus.redis.hosts is an example value")
                        .doesNotContain("pass-4711"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"open.example.com", "notexample.invalid", "example.invalid.corp.test", "192.0.23.1",
            "198.51.1.100", "10.0.0.1", "redis", "kubernetes.default.svc"})
    void realHostsThatMerelyLookAlikeAreAccepted(String host) {
        assertThat(ExampleValues.isExample(host)).isFalse();
    }

    @Test
    void noRedisOrARealOneIsNoExample() {
        assertThat(ExampleValues.inRedisHosts(Optional.empty(), LaunchMode.NORMAL)).isEmpty();
        assertThat(ExampleValues.inRedisHosts(Optional.of("redis://redis:6379"), LaunchMode.NORMAL)).isEmpty();
    }

    @Test
    void devModeAndTestsAcceptTheExamples() {
        BrokerConfig config = config(Map.of("broker.clients.default.base-url", "https://platform.example.invalid"));
        for (LaunchMode mode : List.of(LaunchMode.DEVELOPMENT, LaunchMode.TEST)) {
            assertThat(ConfigurationCheck.problems(config, mode)).as(mode.name()).isEmpty();
            assertThat(ExampleValues.inRedisHosts(Optional.of("rediss://redis.example.invalid:6380"), mode))
                    .as(mode.name()).isEmpty();
        }
    }

    @Test
    void everyOverlayAsWrittenIsRefusedInProductionAndStartsOnceItsPlatformIsSet() throws IOException {
        for (String overlay : List.of("dev-redis", "production")) {
            Map<String, String> site = siteProperties(overlay);

            assertThat(ConfigurationCheck.problems(BrokerConfigs.of(site), LaunchMode.NORMAL)).as(overlay)
                    .singleElement().satisfies(problem -> assertThat(problem)
                            .startsWith("broker.clients.default.base-url is an example value"));

            site.put("broker.clients.default.base-url", "https://open.example.com");
            assertThat(ConfigurationCheck.problems(BrokerConfigs.of(site), LaunchMode.NORMAL)).as(overlay).isEmpty();
        }
    }

    @Test
    void theProductionOverlaysRedisIsAnExampleAndTheDevOverlaysOwnRedisIsNot() throws IOException {
        assertThat(ExampleValues.inRedisHosts(Optional.ofNullable(siteProperties("production")
                .get("quarkus.redis.hosts")), LaunchMode.NORMAL)).hasSize(1);
        assertThat(ExampleValues.inRedisHosts(Optional.ofNullable(siteProperties("dev-redis")
                .get("quarkus.redis.hosts")), LaunchMode.NORMAL)).isEmpty();
    }

    /** The overlay's site.properties, with what the base's application.properties and the Secrets add. */
    private static Map<String, String> siteProperties(String overlay) throws IOException {
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(OVERLAYS.resolve(overlay).resolve("site.properties"))) {
            file.load(reader);
        }
        Map<String, String> properties = new HashMap<>();
        file.stringPropertyNames().forEach(name -> properties.put(name, file.getProperty(name)));
        properties.put("broker.clients.default.client-id", "app");
        properties.put("broker.clients.default.secret", "s3cret");
        if (overlay.equals("production")) {
            // redis-password-and-sealed-records.yaml sets it from a Secret.
            properties.put("broker.store.encryption-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        }
        return properties;
    }

    private static BrokerConfig config(Map<String, String> overrides) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "broker.clients.default.base-url", "https://open.example.com",
                "broker.clients.default.client-id", "app",
                "broker.clients.default.secret", "s3cret",
                "broker.callers.alice.key-sha256", "a".repeat(64),
                "broker.callers.alice.clients", "default"));
        properties.putAll(overrides);
        return BrokerConfigs.of(properties);
    }
}
