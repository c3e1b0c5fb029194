package io.tokenbroker.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.CapturedLogs;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.PlatformStandIn.Failure;
import io.tokenbroker.testing.TestAccounts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Neither a platform secret, a caller key nor a whole token reaches a log line or an error body. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SecretsNeverLeakTest {

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void secretsAndTokensStayOutOfLogsAndErrorBodies() {
        List<String> bodies = new ArrayList<>();
        List<String> logLines;
        try (CapturedLogs logs = new CapturedLogs()) {
            platform.failNext(TestAccounts.clientId("logs"), Failure.HTML_PAGE, Failure.HANG);
            bodies.add(get("logs", TestAccounts.ALICE_KEY));
            bodies.add(get("rejected", TestAccounts.ALICE_KEY));
            bodies.add(get("default", "Bearer-less " + TestAccounts.ALICE_KEY));
            bodies.add(get("default", TestAccounts.BOB_KEY));
            bodies.add(get("nobody", TestAccounts.ALICE_KEY));
            logLines = logs.lines();
        }

        List<String> secrets = new ArrayList<>(platform.issuedTokens());
        TestAccounts.CLIENTS.forEach(client -> secrets.add(TestAccounts.secret(client)));
        secrets.add(TestAccounts.ALICE_KEY);
        secrets.add(TestAccounts.BOB_KEY);
        assertThat(platform.issuedTokens()).isNotEmpty();
        assertThat(logLines).isNotEmpty();
        assertThat(logLines).as("REST client logging is on, and masks the secret")
                .anyMatch(line -> line.contains("secret=***"));
        for (String secret : secrets) {
            assertThat(logLines).noneMatch(line -> line.contains(secret));
            assertThat(bodies.subList(1, bodies.size())).noneMatch(body -> body.contains(secret));
        }
    }

    private static String get(String client, String key) {
        return given().header("Authorization", "Bearer " + key).get("/token?client=" + client).asString();
    }
}
