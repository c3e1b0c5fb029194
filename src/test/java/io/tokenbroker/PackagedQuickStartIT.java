package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's way to run the packaged broker locally ({@code docs/examples/run-packaged.sh}) works as
 * written: its own Redis, the platform stand-in, a caller key, and a token at the end.
 */
class PackagedQuickStartIT {

    @Test
    void theReadmesPackagedRunHandsOutAToken() throws IOException, InterruptedException {
        for (String tool : List.of("redis-server", "python3", "openssl", "curl")) {
            Assumptions.assumeTrue(onPath(tool), tool + " is not installed");
        }
        Path log = Files.createTempFile("run-packaged-", ".log");
        ProcessBuilder script = new ProcessBuilder("bash", "docs/examples/run-packaged.sh", "--once")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = script.environment();
        for (String port : List.of("PORT", "MANAGEMENT_PORT", "REDIS_PORT", "PLATFORM_PORT")) {
            environment.put(port, Integer.toString(RedisServerProcess.freePort()));
        }
        Process run = script.start();
        boolean ended = run.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            run.destroy();
        }
        String output = Files.readString(log);

        assertThat(ended).as(output).isTrue();
        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("\\{\"client\":\"default\",\"accessToken\":\"[0-9a-f]{48}\"");
    }

    private static boolean onPath(String tool) throws IOException, InterruptedException {
        return new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
    }
}
