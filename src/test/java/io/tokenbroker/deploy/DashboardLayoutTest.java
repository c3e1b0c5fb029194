package io.tokenbroker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The README's picture of the Grafana dashboard ({@code docs/dashboard-layout.svg}) is what the dashboard draws. */
class DashboardLayoutTest {

    @Test
    void theLayoutPictureIsUpToDateWithTheDashboard() throws IOException, InterruptedException {
        Process check;
        try {
            check = new ProcessBuilder("python3", "docs/dashboard-layout.py", "--check").redirectErrorStream(true).start();
        } catch (IOException noPython) {
            Assumptions.abort("python3 is not installed");
            return;
        }
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.exitValue()).as(output).isZero();
    }
}
