package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.ReplicaSet;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The class-data-sharing step of {@code Dockerfile.jvm}, run as written against the packaged jar: the
 * training run ends by itself and writes an archive, and a broker started with that archive (mapped,
 * {@code -Xshare:on}) serves tokens through Redis.
 */
class ClassDataSharingIT {

    private static final Pattern TRAINING_RUN = Pattern.compile("RUN (java -XX:ArchiveClassesAtExit=.*?)\\n\\n",
            Pattern.DOTALL);

    @Test
    void theImagesTrainingRunWritesAnArchiveABrokerStartsWith() throws Exception {
        Path appDirectory = Path.of("target/quarkus-app").toAbsolutePath();
        Path archive = appDirectory.resolve("app-cds.jsa");
        Files.deleteIfExists(archive);

        Process training = new ProcessBuilder(trainingCommand(appDirectory)).redirectErrorStream(true)
                .redirectOutput(Files.createTempFile("appcds-training-", ".log").toFile()).start();

        assertThat(training.waitFor(90, TimeUnit.SECONDS)).as("the training run ends by itself").isTrue();
        assertThat(training.exitValue()).isZero();
        assertThat(Files.size(archive)).isGreaterThan(1_000_000);

        try (ReplicaSet set = new ReplicaSet(0, Map.of())) {
            BrokerReplica replica = set.startReplica(List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on"));
            HttpResponse<String> answer = set.send(set.tokenRequest(replica, "default"));

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(set.platform.isValid(ReplicaSet.token(answer.body()))).isTrue();
        }
    }

    /** The {@code RUN java ...} of Dockerfile.jvm, with {@code /deployments} replaced by the built app. */
    private static List<String> trainingCommand(Path appDirectory) throws IOException {
        Matcher run = TRAINING_RUN.matcher(Files.readString(Path.of("Dockerfile.jvm")));
        assertThat(run.find()).as("Dockerfile.jvm has the training run").isTrue();
        List<String> command = new ArrayList<>();
        Arrays.stream(run.group(1).replace("\\\n", " ").trim().split("\\s+"))
                .map(word -> word.replace("/deployments", appDirectory.toString()))
                .forEach(command::add);
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return command;
    }
}
