package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenbroker.security.AuditTrail;
import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The audit trail as production writes it: JSON lines on the console (the packaged jar, no profile),
 * one object per event on the category {@value AuditTrail#CATEGORY}, with the facts as JSON fields
 * under {@code mdc} and only the event's name as {@code message}.
 */
class AuditLogIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachAuditEventIsAJsonLineWithItsFactsAsFieldsAndNoSecretInIt() {
        try (ReplicaSet set = new ReplicaSet(1, Map.of())) {
            BrokerReplica replica = set.replica(0);
            String token = set.tokenFrom(replica, "default");
            assertThat(set.send(HttpRequest.newBuilder(replica.uri("/token"))
                    .header("Authorization", "Bearer not-a-key").build()).statusCode()).isEqualTo(401);
            assertThat(set.send(HttpRequest.newBuilder(replica.uri("/platform/" + TestAccounts.PROXY
                    + "/openapi/echo/audited?secret-query=1")).header("Authorization", "Bearer " + TestAccounts.PAT_KEY)
                    .header("X-Request-Id", "trace-7").build()).statusCode()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> audit(replica.output()).size() >= 3);
            List<JsonNode> audit = audit(replica.output());
            String output = replica.output();

            assertThat(audit).allSatisfy(line -> {
                assertThat(line.path("level").asText()).isEqualTo("INFO");
                assertThat(line.path("message").asText()).isEqualTo(line.path("mdc").path("event").asText());
            });
            assertThat(fields(audit, "hand-out")).containsEntry("caller", "alice").containsEntry("client", "default")
                    .containsEntry("outcome", "200").containsEntry("remote", "127.0.0.1").containsKey("generation")
                    .hasEntrySatisfying("token", fingerprint -> assertThat(fingerprint).matches("sha256:[0-9a-f]{8}"));
            assertThat(fields(audit, "denied")).containsEntry("caller", "-").containsEntry("client", "-")
                    .containsEntry("outcome", "401");
            assertThat(fields(audit, "business-call")).containsEntry("caller", "pat")
                    .containsEntry("client", TestAccounts.PROXY).containsEntry("method", "GET")
                    .containsEntry("path", "/openapi/echo/audited").containsEntry("outcome", "200")
                    .containsEntry("caller-request-id", "trace-7")
                    .hasEntrySatisfying("request-id", id -> assertThat(id).isNotBlank().isNotEqualTo("-"));
            assertThat(output).doesNotContain(token).doesNotContain(TestAccounts.ALICE_KEY)
                    .doesNotContain(TestAccounts.PAT_KEY).doesNotContain(TestAccounts.secret("default"))
                    .doesNotContain("secret-query");
        }
    }

    /** The JSON lines of the audit category, in order; a line still being written is left for later. */
    private static List<JsonNode> audit(String output) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.substring(0, output.lastIndexOf('\n') + 1).split("\n")) {
            if (line.startsWith("{")) {
                JsonNode parsed = parse(line);
                if (AuditTrail.CATEGORY.equals(parsed.path("loggerName").asText())) {
                    lines.add(parsed);
                }
            }
        }
        return lines;
    }

    /** The fields of the one line of {@code event}, all of them strings. */
    private static Map<String, String> fields(List<JsonNode> audit, String event) {
        List<JsonNode> matching = audit.stream().filter(line -> event.equals(line.path("mdc").path("event").asText()))
                .toList();
        assertThat(matching).as("audit lines of event %s", event).hasSize(1);
        Map<String, String> fields = new TreeMap<>();
        matching.get(0).path("mdc").fields().forEachRemaining(field -> {
            assertThat(field.getValue().isTextual()).as(field.getKey()).isTrue();
            fields.put(field.getKey(), field.getValue().asText());
        });
        return fields;
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
