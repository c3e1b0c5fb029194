package io.tokenbroker.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.CapturedLogs;
import io.tokenbroker.testing.TestAccounts;
import io.tokenbroker.token.TokenRecord;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hand-outs leave one line per token, caller and address, then a count per summary interval; denials
 * one line per kind (caller, client, status), then a count, with a bounded number of kinds. Every
 * fact is a field of its line, never text a caller could shape. Fingerprints only, never the token.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class AuditTrailTest {

    @Inject
    AuditTrail trail;

    @BeforeEach
    void forgetEarlierRecipients() {
        trail.writeCounts();
        trail.writeCounts(); // the second pass forgets every recipient that was idle since the first
    }

    @Test
    void repeatedHandOutsOfOneTokenAreCountedNotLoggedEachTime() {
        List<Map<String, String>> audit;
        try (CapturedLogs logs = new CapturedLogs()) {
            for (int i = 0; i < 3; i++) {
                given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token?client=healthy")
                        .then().statusCode(200);
            }
            trail.writeCounts();
            audit = events(logs).stream().filter(event -> "healthy".equals(event.get("client"))).toList();
        }

        assertThat(audit).filteredOn("event", "hand-out").hasSize(1);
        assertThat(audit).filteredOn("event", "hand-outs").singleElement().satisfies(event -> assertThat(event)
                .containsEntry("caller", "alice").containsEntry("remote", "127.0.0.1").containsEntry("count", "3")
                .containsEntry("outcome", "200").hasEntrySatisfying("token", token -> assertThat(token)
                        .matches("sha256:[0-9a-f]{8}")));
    }

    @Test
    void aCallersOwnRequestIdIsWrittenBesideOursOnlyWhenItIsAPlainId() {
        Caller caller = new Caller("pat", Set.of("*"));
        List<Map<String, String>> audit;
        try (CapturedLogs logs = new CapturedLogs()) {
            trail.businessCall(caller, "proxy", "GET", "/openapi/a", "/openapi/a", "200", "rid-1", "trace-42.a:b", "192.0.2.7");
            trail.businessCall(caller, "proxy", "GET", "/openapi/b", "/openapi/b", "200", "rid-2", "x\nevent=forged", "192.0.2.7");
            trail.businessCall(caller, "proxy", "GET", "/openapi/c", "/openapi/c", "200", "rid-3", null, "192.0.2.7");
            audit = events(logs).stream().filter(event -> "business-call".equals(event.get("event"))).toList();
        }

        assertThat(audit).extracting(event -> event.get("request-id")).containsExactly("rid-1", "rid-2", "rid-3");
        assertThat(audit).extracting(event -> event.get("caller-request-id")).containsExactly("trace-42.a:b", "-", "-");
    }

    @Test
    void aValueFromTheCallerCanNeitherAddAFieldNorStartALine() {
        Caller caller = new Caller("pat", Set.of("*"));
        List<Map<String, String>> audit;
        List<String> lines;
        try (CapturedLogs logs = new CapturedLogs()) {
            trail.businessCall(caller, "proxy", "GET", "/openapi/x\r\nevent=forged caller=root", "/**", "200", "rid-9",
                    "trace\", \"caller\": \"root", "192.0.2.7");
            audit = events(logs);
            lines = logs.lines();
        }

        assertThat(audit).singleElement().satisfies(event -> assertThat(event)
                .containsOnlyKeys("event", "caller", "client", "method", "path", "grant", "outcome", "request-id",
                        "caller-request-id", "remote")
                .containsEntry("event", "business-call").containsEntry("caller", "pat")
                .containsEntry("path", "/openapi/x??event=forged caller=root")
                .containsEntry("caller-request-id", "-"));
        assertThat(lines).filteredOn(line -> line.startsWith(AuditTrail.CATEGORY + " ")).singleElement()
                .satisfies(line -> assertThat(line).doesNotContain("\n", "\r"));
    }

    @Test
    void callsOnPathsWithIdsAreSummarisedByTheGrantTheyMatchedAndTokenRefusalsLikeThem() {
        Caller caller = new Caller("pat", Set.of("*"));
        TokenRecord refused = new TokenRecord("refused-token", java.time.Instant.now(),
                java.time.Instant.now().plusSeconds(60), 3);
        List<Map<String, String>> audit;
        try (CapturedLogs logs = new CapturedLogs()) {
            for (int i = 0; i < 300; i++) {
                trail.businessCall(caller, "proxy", "GET", "/openapi/users/" + i, "/openapi/users/*", "200",
                        "rid-" + i, null, "192.0.2.7");
                trail.tokenRefused(caller, "proxy", "GET", "/openapi/users/" + i, "/openapi/users/*", refused,
                        "rid-" + i, null, false);
            }
            trail.writeCounts();
            audit = events(logs).stream().filter(event -> "pat".equals(event.get("caller"))).toList();
        }

        assertThat(audit).filteredOn("event", "business-call").singleElement()
                .satisfies(event -> assertThat(event).containsEntry("grant", "/openapi/users/*"));
        assertThat(audit).filteredOn("event", "business-calls").singleElement().satisfies(event -> assertThat(event)
                .containsEntry("grant", "/openapi/users/*").containsEntry("count", "300").doesNotContainKey("path"));
        assertThat(audit).filteredOn("event", "token-refused").hasSize(1);
        assertThat(audit).filteredOn("event", "tokens-refused").singleElement()
                .satisfies(event -> assertThat(event).containsEntry("count", "300").containsEntry("next", "passed-back"));
        assertThat(audit).noneMatch(event -> event.get("event").endsWith("-other"));
    }

    @Test
    void kindsBeyondTheBoundAreCountedUnderTheirCallerNeverAnonymously() {
        Caller caller = new Caller("pat", Set.of("*"));
        List<Map<String, String>> audit;
        trail.writeCounts();
        trail.writeCounts(); // kinds of earlier tests, idle for a whole count, are forgotten
        try (CapturedLogs logs = new CapturedLogs()) {
            for (int i = 0; i < KindCounts.MAX_KINDS + 10; i++) {
                trail.businessCall(caller, "proxy", "GET", "/openapi/" + i, "/openapi/" + i, "200", "rid", null,
                        "192.0.2.7");
            }
            trail.writeCounts();
            audit = events(logs);
        }

        assertThat(audit).filteredOn("event", "business-calls-other").singleElement().satisfies(event -> assertThat(event)
                .containsEntry("caller", "pat").containsEntry("count", "10"));
    }

    @Test
    void repeatedDenialsAreCountedNotLoggedEachTime() {
        List<Map<String, String>> audit;
        try (CapturedLogs logs = new CapturedLogs()) {
            for (int i = 0; i < 4; i++) {
                given().header("Authorization", "Bearer wrong").get("/token?client=other").then().statusCode(401);
            }
            trail.writeCounts();
            audit = events(logs).stream().filter(event -> "401".equals(event.get("outcome"))).toList();
        }

        assertThat(audit).filteredOn("event", "denied").singleElement().satisfies(event -> assertThat(event)
                .containsEntry("caller", "-").containsEntry("client", "-").containsEntry("remote", "127.0.0.1"));
        assertThat(audit).filteredOn("event", "denials").singleElement().satisfies(event -> assertThat(event)
                .containsEntry("caller", "-").containsEntry("client", "-").containsEntry("count", "4")
                .containsEntry("interval", "PT1M"));
    }

    @Test
    void denialsOfMoreKindsThanTheBoundAreCountedTogetherByCaller() {
        int kinds = KindCounts.MAX_KINDS + 5;
        List<Map<String, String>> audit;
        try (CapturedLogs logs = new CapturedLogs()) {
            for (int i = 0; i < kinds; i++) {
                trail.denied(new Caller("caller-" + i, Set.of()), "other", 403, "192.0.2.1");
            }
            trail.writeCounts();
            audit = events(logs);
        }

        assertThat(audit).filteredOn("event", "denied").hasSize(KindCounts.MAX_KINDS);
        assertThat(audit).filteredOn("event", "denials").hasSize(KindCounts.MAX_KINDS);
        assertThat(audit).filteredOn("event", "denials-other").hasSize(5).allSatisfy(event -> assertThat(event)
                .containsEntry("count", "1").containsEntry("kinds-beyond", Integer.toString(KindCounts.MAX_KINDS))
                .hasEntrySatisfying("caller", caller -> assertThat(caller).startsWith("caller-")));
    }

    @Test
    void handOutsAndDenialsAreAudited() {
        List<Map<String, String>> audit;
        List<String> lines;
        String token;
        try (CapturedLogs logs = new CapturedLogs()) {
            token = given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token?client=other")
                    .then().statusCode(200).extract().path("accessToken");
            given().header("Authorization", "Bearer wrong").get("/token?client=other").then().statusCode(401);
            given().header("Authorization", "Bearer " + TestAccounts.BOB_KEY).get("/token?client=default")
                    .then().statusCode(403);
            audit = events(logs);
            lines = logs.lines();
        }

        assertThat(audit).anySatisfy(event -> assertThat(event).containsEntry("event", "hand-out")
                .containsEntry("caller", "alice").containsEntry("client", "other").containsEntry("outcome", "200")
                .containsEntry("remote", "127.0.0.1").containsKeys("token", "generation"));
        assertThat(audit).anySatisfy(event -> assertThat(event).containsEntry("event", "denied")
                .containsEntry("caller", "-").containsEntry("outcome", "401"));
        assertThat(audit).anySatisfy(event -> assertThat(event).containsEntry("event", "denied")
                .containsEntry("caller", "bob").containsEntry("client", "default").containsEntry("outcome", "403"));
        assertThat(lines).anyMatch(line -> line.startsWith(AuditTrail.CATEGORY + " hand-out "))
                .noneMatch(line -> line.contains(token));
    }

    private static List<Map<String, String>> events(CapturedLogs logs) {
        return logs.fields(AuditTrail.CATEGORY);
    }
}
