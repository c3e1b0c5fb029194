package io.tokenbroker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules of {@code k8s/monitoring/prometheusrule.yaml} as Prometheus reads them: {@code promtool
 * check rules} and the unit tests of {@code prometheusrule-tests.yaml} ({@code promtool test rules}),
 * wherever promtool is installed (Debian's {@code prometheus} package). Without it they are skipped,
 * unless {@value #REQUIRE_PROMTOOL}{@code =1} (as {@code .ci/run} sets it): then they fail.
 */
class MonitoringRulesTest {

    /** The environment variable that makes a missing promtool a failure rather than a reason to skip. */
    private static final String REQUIRE_PROMTOOL = "BROKER_REQUIRE_PROMTOOL";

    private static final Path MONITORING = Path.of("k8s", "monitoring");
    private static final Path WORK = Path.of("target", "promtool");

    @BeforeAll
    static void extractTheRules() throws IOException {
        if ("1".equals(System.getenv(REQUIRE_PROMTOOL))) {
            assertThat(promtoolInstalled()).as("promtool is installed (%s=1)", REQUIRE_PROMTOOL).isTrue();
        } else {
            Assumptions.assumeTrue(promtoolInstalled(), "promtool is not installed");
        }
        Map<String, Object> rule = new Yaml().load(Files.readString(MONITORING.resolve("prometheusrule.yaml")));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.createDirectories(WORK);
        Files.writeString(WORK.resolve("token-broker-rules.yaml"), new Yaml(options).dump(rule.get("spec")));
        Files.copy(MONITORING.resolve("prometheusrule-tests.yaml"), WORK.resolve("prometheusrule-tests.yaml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void theRulesAreValid() throws Exception {
        assertThat(promtool("check", "rules", "token-broker-rules.yaml")).contains("SUCCESS");
    }

    @Test
    void theAlertsFireAsTheirTestsExpectAnExpiredTokenIncluded() throws Exception {
        assertThat(promtool("test", "rules", "prometheusrule-tests.yaml")).contains("SUCCESS");
    }

    private static String promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Process promtool = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor()).as("promtool %s:%n%s", String.join(" ", arguments), output).isZero();
        return output;
    }

    private static boolean promtoolInstalled() {
        try {
            return new ProcessBuilder("promtool", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
