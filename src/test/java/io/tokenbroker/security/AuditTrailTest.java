package io.tokenbroker.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.CapturedLogs;
import io.tokenbroker.testing.TestAccounts;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hand-outs leave one line per token, caller and address, then a count per summary interval; denials
 * one line per kind (caller, client, status), then a count, with a bounded number of kinds.
 * Fingerprints only, never the token.
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
        List<String> audit;
        try (CapturedLogs logs = new CapturedLogs()) {
            for (int i = 0; i < 3; i++) {
                given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token?client=healthy")
                        .then().statusCode(200);
            }
            trail.writeCounts();
            audit = logs.lines().stream()
                    .filter(line -> line.startsWith(AuditTrail.CATEGORY + " ") && line.contains("client=healthy"))
                    .toList();
        }

        assertThat(audit).filteredOn(line -> line.contains("event=hand-out ")).hasSize(1);
        assertThat(audit).filteredOn(line -> line.contains("event=hand-outs ")).singleElement().satisfies(line ->
                assertThat(line).contains("caller=alice", "token=sha256:", "remote=127.0.0.1", "count=3"));
    }

    @Test
    void repeatedDenialsAreCountedNotLoggedEachTime() {
        List<String> audit;
        try (CapturedLogs logs = new CapturedLogs()) {
            for (int i = 0; i < 4; i++) {
                given().header("Authorization", "Bearer wrong").get("/token?client=other").then().statusCode(401);
            }
            trail.writeCounts();
            audit = auditLines(logs).stream().filter(line -> line.contains("outcome=401")).toList();
        }

        assertThat(audit).filteredOn(line -> line.contains("event=denied ")).singleElement().satisfies(line ->
                assertThat(line).contains("caller=-", "client=-", "remote=127.0.0.1"));
        assertThat(audit).filteredOn(line -> line.contains("event=denials ")).singleElement().satisfies(line ->
                assertThat(line).contains("caller=-", "client=-", "count=4", "interval=PT1M"));
    }

    @Test
    void denialsOfMoreKindsThanTheBoundAreCountedTogether() {
        int kinds = KindCounts.MAX_KINDS + 5;
        List<String> audit;
        try (CapturedLogs logs = new CapturedLogs()) {
            for (int i = 0; i < kinds; i++) {
                trail.denied(new Caller("caller-" + i, Set.of()), "other", 403, "192.0.2.1");
            }
            trail.writeCounts();
            audit = auditLines(logs);
        }

        assertThat(audit).filteredOn(line -> line.contains("event=denied ")).hasSize(KindCounts.MAX_KINDS);
        assertThat(audit).filteredOn(line -> line.contains("event=denials ")).hasSize(KindCounts.MAX_KINDS);
        assertThat(audit).filteredOn(line -> line.contains("event=denials-other ")).singleElement()
                .satisfies(line -> assertThat(line).contains("count=5"));
    }

    @Test
    void handOutsAndDenialsAreAudited() {
        List<String> audit;
        String token;
        try (CapturedLogs logs = new CapturedLogs()) {
            token = given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token?client=other")
                    .then().statusCode(200).extract().path("accessToken");
            given().header("Authorization", "Bearer wrong").get("/token?client=other").then().statusCode(401);
            given().header("Authorization", "Bearer " + TestAccounts.BOB_KEY).get("/token?client=default")
                    .then().statusCode(403);
            audit = auditLines(logs);
        }

        assertThat(audit).anySatisfy(line -> assertThat(line)
                .contains("event=hand-out", "caller=alice", "client=other", "outcome=200", "token=sha256:",
                        "generation=", "remote=127.0.0.1"));
        assertThat(audit).anySatisfy(line -> assertThat(line).contains("event=denied", "caller=-", "outcome=401"));
        assertThat(audit).anySatisfy(line -> assertThat(line)
                .contains("event=denied", "caller=bob", "client=default", "outcome=403"));
        assertThat(audit).noneMatch(line -> line.contains(token));
    }

    private static List<String> auditLines(CapturedLogs logs) {
        return logs.lines().stream().filter(line -> line.startsWith(AuditTrail.CATEGORY + " ")).toList();
    }
}
