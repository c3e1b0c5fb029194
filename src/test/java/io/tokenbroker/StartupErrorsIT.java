package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged broker, started with a broken configuration as an operator might: it exits at once
 * with one message that lists every problem, and no stack trace to dig through.
 */
class StartupErrorsIT {

    @Test
    void everyConfigurationProblemIsNamedAtOnceWithoutAStackTrace() throws IOException, InterruptedException {
        String output = start(List.of(
                "-Dbroker.clients.billing.base-url=https://open.example.com",
                "-Dbroker.clients.billing.client-id=app",
                "-Dbroker.clients.billing.secret=not-so-secret-4711",
                "-Dbroker.callers.orders.clients=*",
                "-Dbroker.callers.shop.key-sha256=" + "ab".repeat(32),
                "-Dbroker.callers.shop.clients=billing,stock"));

        assertThat(output).contains("token-broker cannot start: 4 configuration problems")
                .contains("broker.default-client is 'default' but no broker.clients.default.* is configured")
                .contains("broker.callers.orders: set key-sha256, service-account or both")
                .contains("broker.callers.shop.clients names 'stock', which is not a configured client")
                .contains("quarkus.redis.hosts is not set, and tokens are kept in Redis (the default outside dev mode)");
        assertThat(output).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception")
                .doesNotContain("Failed to start");
        assertThat(output).as("no secret").doesNotContain("not-so-secret-4711");
    }

    private static String start(List<String> properties) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=0", "-Dquarkus.management.port=0"));
        command.addAll(properties);
        command.addAll(List.of("-jar", System.getProperty("broker.jar", "target/quarkus-app/quarkus-run.jar")));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the broker stops by itself").isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(1);
        return output;
    }
}
