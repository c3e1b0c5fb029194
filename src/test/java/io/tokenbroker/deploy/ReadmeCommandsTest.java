package io.tokenbroker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every command the README shows is run by a script or a test, so none can rot unnoticed: it is in
 * one of the scripts under {@code docs/examples} (which a script or an IT runs), or it is one of the
 * commands below, each with what runs it.
 */
class ReadmeCommandsTest {

    /** Commands run elsewhere, by how they begin, and what runs them (or why nothing can here). */
    private static final Map<String, String> RUN_ELSEWHERE = new LinkedHashMap<>();

    static {
        RUN_ELSEWHERE.put("./mvnw quarkus:dev", "docs/examples/check-quick-start.sh, from .ci/run");
        RUN_ELSEWHERE.put("./mvnw verify", ".ci/run");
        RUN_ELSEWHERE.put("./mvnw package -DskipTests", "every build that runs the integration tests");
        RUN_ELSEWHERE.put("docs/examples/run-packaged.sh", "PackagedQuickStartIT");
        RUN_ELSEWHERE.put("java -Dquarkus.redis.hosts=", "run-packaged.sh runs this command with local values");
        RUN_ELSEWHERE.put("curl -H \"Authorization: Bearer $OPERATOR_KEY\"", "AdminRoutesTest, BrokerReplicasIT");
        RUN_ELSEWHERE.put("curl -X POST -H \"Authorization: Bearer $OPERATOR_KEY\"", "AdminRoutesTest, BrokerReplicasIT");
        RUN_ELSEWHERE.put("curl -H \"Authorization: Bearer $(cat /var/run/secrets/", "ServiceAccountAuthenticationTest");
        RUN_ELSEWHERE.put("bench/run.sh", "the benchmark itself");
        RUN_ELSEWHERE.put("docker build", "no Docker engine here: ClassDataSharingIT runs Dockerfile.jvm's training step");
        RUN_ELSEWHERE.put("kubectl", "no cluster here: KubernetesManifestsTest renders every kustomization");
    }

    @Test
    void everyCommandOfTheReadmeIsRunByAScriptOrATest() throws IOException {
        String examples;
        try (Stream<Path> scripts = Files.list(Path.of("docs", "examples"))) {
            examples = scripts.filter(file -> file.toString().endsWith(".sh")).map(ReadmeCommandsTest::read)
                    .map(ReadmeCommandsTest::normalized).collect(Collectors.joining("\n"));
        }
        List<String> commands = commands(Files.readString(Path.of("README.md")));

        assertThat(commands).hasSizeGreaterThan(20).allSatisfy(command -> assertThat(
                examples.contains(normalized(command)) || RUN_ELSEWHERE.keySet().stream().anyMatch(command::startsWith))
                .as("run by docs/examples/*.sh or by what RUN_ELSEWHERE names: %s", command).isTrue());
    }

    /** The command lines of the README's shell blocks, continuation lines joined, comments dropped. */
    static List<String> commands(String readme) {
        List<String> commands = new ArrayList<>();
        boolean inShell = false;
        StringBuilder command = new StringBuilder();
        for (String raw : readme.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("```")) {
                inShell = !inShell && line.equals("```shell");
                continue;
            }
            if (!inShell || line.isEmpty() || line.startsWith("#") && command.isEmpty()) {
                continue;
            }
            command.append(command.isEmpty() ? "" : " ").append(line.endsWith("\\") ? line.substring(0, line.length() - 1).strip() : line);
            if (!line.endsWith("\\")) {
                commands.add(withoutComment(command.toString()));
                command.setLength(0);
            }
        }
        return commands;
    }

    private static String withoutComment(String command) {
        int comment = command.indexOf("  #");
        return (comment < 0 ? command : command.substring(0, comment)).strip();
    }

    private static String normalized(String text) {
        return text.replace("\\\n", " ").replaceAll("[ \t]+", " ");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
