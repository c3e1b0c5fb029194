package io.tokenbroker.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.CapturedLogs;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.InjectServiceAccountIssuer;
import io.tokenbroker.testing.ServiceAccountIssuer;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.PlatformStandIn.Failure;
import io.tokenbroker.testing.TestAccounts;
import java.util.ArrayList;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Neither a platform secret, a caller key nor a whole token reaches a log line or an error body. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SecretsNeverLeakTest {

    @InjectPlatform
    PlatformStandIn platform;

    @InjectServiceAccountIssuer
    ServiceAccountIssuer issuer;

    @Test
    void secretsAndTokensStayOutOfLogsAndErrorBodies() {
        List<String> bodies = new ArrayList<>();
        String serviceAccountToken = issuer.token(TestAccounts.CAROL_NAMESPACE, TestAccounts.CAROL_ACCOUNT);
        String forgedToken = issuer.token(TestAccounts.CAROL_NAMESPACE, TestAccounts.CAROL_ACCOUNT,
                ServiceAccountIssuer.ISSUER, ServiceAccountIssuer.AUDIENCE, java.time.Instant.now().plusSeconds(600),
                ServiceAccountIssuer.newKey("forged"));
        List<String> logLines;
        try (CapturedLogs logs = new CapturedLogs()) {
            platform.failNext(TestAccounts.clientId("logs"), Failure.HTML_PAGE, Failure.HANG);
            bodies.add(get("logs", TestAccounts.ALICE_KEY));
            bodies.add(get("rejected", TestAccounts.ALICE_KEY));
            bodies.add(get("default", "Bearer-less " + TestAccounts.ALICE_KEY));
            bodies.add(get("default", TestAccounts.BOB_KEY));
            bodies.add(get("nobody", TestAccounts.ALICE_KEY));
            get("other", serviceAccountToken); // a 200: its body is the token itself
            bodies.add(get("other", forgedToken));
            logLines = logs.lines();
        }

        List<String> secrets = new ArrayList<>(platform.issuedTokens());
        TestAccounts.CLIENTS.forEach(client -> secrets.add(TestAccounts.secret(client)));
        secrets.add(TestAccounts.ALICE_KEY);
        secrets.add(TestAccounts.BOB_KEY);
        // A JWT's signature is what makes it a credential: neither token may appear, even in part.
        secrets.add(serviceAccountToken.substring(serviceAccountToken.lastIndexOf('.') + 1));
        secrets.add(forgedToken.substring(forgedToken.lastIndexOf('.') + 1));
        assertThat(platform.issuedTokens()).isNotEmpty();
        assertThat(logLines).isNotEmpty();
        assertThat(logLines).as("REST client logging is on, and masks the secret")
                .anyMatch(line -> line.contains("secret=***"));
        for (String secret : secrets) {
            assertThat(logLines).noneMatch(line -> line.contains(secret));
            assertThat(bodies.subList(1, bodies.size())).noneMatch(body -> body.contains(secret));
        }
    }

    @Test
    void configurationViewersCannotReadPlatformSecrets() {
        Config config = ConfigProvider.getConfig();
        assertThatThrownBy(() -> config.getValue("broker.clients.default.secret", String.class))
                .isInstanceOf(SecurityException.class);

        // What a configuration viewer (the Dev UI's among them) does: walk every name, read every value.
        List<String> seen = new ArrayList<>();
        for (String name : config.getPropertyNames()) {
            try {
                seen.add(name + "=" + config.getConfigValue(name).getValue());
            } catch (SecurityException locked) {
                seen.add(name + "=<locked>");
            }
        }
        assertThat(seen).isNotEmpty().noneMatch(entry -> entry.startsWith("broker.clients.default.secret="));
        for (String client : TestAccounts.CLIENTS) {
            assertThat(seen).noneMatch(entry -> entry.contains(TestAccounts.secret(client)));
        }
    }

    private static String get(String client, String key) {
        return given().header("Authorization", "Bearer " + key).get("/token?client=" + client).asString();
    }
}
