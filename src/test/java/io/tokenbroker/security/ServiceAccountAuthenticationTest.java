package io.tokenbroker.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.ServiceAccounts;
import io.tokenbroker.testing.AnsweredByQuarkusRest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.CapturedLogs;
import io.tokenbroker.testing.InjectServiceAccountIssuer;
import io.tokenbroker.testing.ManagementInterface;
import io.tokenbroker.testing.ServiceAccountIssuer;
import io.tokenbroker.testing.TestAccounts;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.ReservedClaimNames;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Callers authenticated by their Kubernetes ServiceAccount token, verified against a stand-in
 * issuer's JWKS: caller {@code carol} is ServiceAccount {@code payments/carol}, granted {@code other}.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class ServiceAccountAuthenticationTest {

    private static final String NS = TestAccounts.CAROL_NAMESPACE;
    private static final String SA = TestAccounts.CAROL_ACCOUNT;
    private static final Instant IN_AN_HOUR = Instant.now().plus(Duration.ofHours(1));

    @InjectServiceAccountIssuer
    ServiceAccountIssuer issuer;

    @Inject
    BrokerConfig config;

    @BeforeEach
    void keysAreLoaded() {
        await().atMost(Duration.ofSeconds(10)).until(() -> status(issuer.token(NS, SA), "other") == 200);
    }

    @Test
    void aValidServiceAccountTokenReadsTheClientsItWasGranted() {
        given().header("Authorization", "Bearer " + issuer.token(NS, SA))
                .get("/token?client=other")
                .then().statusCode(200).body("client", equalTo("other"));
    }

    @Test
    void aTokenVerifiedOnceIsThenRecognisedByLookUp() {
        String token = issuer.token(NS, SA, ServiceAccountIssuer.ISSUER, ServiceAccountIssuer.AUDIENCE,
                Instant.now().plus(Duration.ofMinutes(50)), issuer.signingKey());

        // The first request verifies the signature (through Quarkus REST); later ones find the caller
        // it remembered and are answered by the route ahead of Quarkus REST.
        given().header("Authorization", "Bearer " + token).get("/token?client=other")
                .then().statusCode(200).header(AnsweredByQuarkusRest.HEADER, equalTo("quarkus-rest"));
        given().header("Authorization", "Bearer " + token).get("/token?client=other")
                .then().statusCode(200).header(AnsweredByQuarkusRest.HEADER, nullValue());
    }

    @Test
    void aValidTokenDoesNotReadClientsBeyondTheGrant() {
        given().header("Authorization", "Bearer " + issuer.token(NS, SA))
                .get("/token?client=default")
                .then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void anExpiredTokenIsRefused() {
        String expired = issuer.token(NS, SA, ServiceAccountIssuer.ISSUER, ServiceAccountIssuer.AUDIENCE,
                Instant.now().minus(Duration.ofMinutes(5)), issuer.signingKey());
        assertRefused(expired);
    }

    @Test
    void aTokenWithoutIssuedAtIsRefused() {
        JwtClaims claims = ServiceAccountIssuer.validClaims(NS, SA);
        claims.unsetClaim(ReservedClaimNames.ISSUED_AT);
        assertRefused(ServiceAccountIssuer.sign(claims, issuer.signingKey()));
    }

    @Test
    void aTokenIssuedInTheFutureIsRefused() {
        JwtClaims claims = ServiceAccountIssuer.validClaims(NS, SA);
        claims.setIssuedAt(NumericDate.fromMilliseconds(Instant.now().plus(Duration.ofMinutes(5)).toEpochMilli()));
        claims.unsetClaim(ReservedClaimNames.NOT_BEFORE);
        assertRefused(ServiceAccountIssuer.sign(claims, issuer.signingKey()));
    }

    @Test
    void aTokenIssuedToLiveLongerThanTheMaximumLifetimeIsRefused() {
        Instant issued = Instant.now().minus(Duration.ofHours(1));
        assertThat(status(tokenLiving(issued, Duration.ofHours(24)), "other")).isEqualTo(200);
        assertRefused(tokenLiving(issued, Duration.ofHours(24).plusMinutes(1)));
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        assertRefused(issuer.token(NS, SA, ServiceAccountIssuer.ISSUER, "vault", IN_AN_HOUR, issuer.signingKey()));
    }

    @Test
    void aTokenFromAnotherIssuerIsRefused() {
        assertRefused(issuer.token(NS, SA, "https://evil.example.com", ServiceAccountIssuer.AUDIENCE, IN_AN_HOUR,
                issuer.signingKey()));
    }

    @Test
    void aTokenSignedWithAnUnknownKeyIsRefused() {
        RsaJsonWebKey forged = ServiceAccountIssuer.newKey(issuer.signingKey().getKeyId());
        assertRefused(issuer.token(NS, SA, ServiceAccountIssuer.ISSUER, ServiceAccountIssuer.AUDIENCE, IN_AN_HOUR,
                forged));
    }

    @Test
    void anUnsignedTokenIsRefused() {
        assertRefused(issuer.unsignedToken(NS, SA));
    }

    @Test
    void aServiceAccountThatIsNoCallerIsRefused() {
        assertRefused(issuer.token(NS, "mallory"));
        assertRefused(issuer.token("other-namespace", SA));
    }

    @Test
    void aKnownCallersTokenCarryingTheClaimsOfAnotherOfItsTokensIsRefusedForItsSignature() {
        String[] signed = issuer.token(NS, SA).split("\\.");
        String another = issuer.token(NS, SA, ServiceAccountIssuer.ISSUER, ServiceAccountIssuer.AUDIENCE,
                Instant.now().plus(Duration.ofMinutes(59)), issuer.signingKey());
        assertThat(status(another, "other")).as("the claims put in are those of a valid token").isEqualTo(200);
        // Only the signature is wrong: the header and the claims, carol's own, verify apart from it.
        String tampered = signed[0] + "." + another.split("\\.")[1] + "." + signed[2];

        List<String> refusals;
        try (CapturedLogs logs = new CapturedLogs()) {
            assertRefused(tampered);
            refusals = logs.lines().stream().filter(line -> line.contains("ServiceAccount token refused")).toList();
        }

        assertThat(refusals).isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("ServiceAccount token refused: bad signature"));
    }

    @Test
    void aKeyPublishedAfterStartIsFetchedWhenATokenNeedsIt() {
        RsaJsonWebKey rotated = ServiceAccountIssuer.newKey("key-rotated-" + System.nanoTime());
        issuer.publish(rotated);
        String token = issuer.token(NS, SA, ServiceAccountIssuer.ISSUER, ServiceAccountIssuer.AUDIENCE, IN_AN_HOUR,
                rotated);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> status(token, "other") == 200);
    }

    @Test
    void aKeyWithdrawnFromTheJwksStopsVouchingForTokensVerifiedWithIt() {
        RsaJsonWebKey retired = ServiceAccountIssuer.newKey("key-retired-" + System.nanoTime());
        issuer.publish(retired);
        String token = issuer.token(NS, SA, ServiceAccountIssuer.ISSUER, ServiceAccountIssuer.AUDIENCE, IN_AN_HOUR,
                retired);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> status(token, "other") == 200);
        // Remembered: answered by the route, without verifying the signature again.
        given().header("Authorization", "Bearer " + token).get("/token?client=other")
                .then().statusCode(200).header(AnsweredByQuarkusRest.HEADER, nullValue());

        issuer.withdraw(retired);

        // A token signed with a key the broker does not know makes it fetch the JWKS early.
        String unknownKey = issuer.token(NS, SA, ServiceAccountIssuer.ISSUER, ServiceAccountIssuer.AUDIENCE,
                IN_AN_HOUR, ServiceAccountIssuer.newKey("key-never-published"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> status(unknownKey, "other") == 401 && status(token, "other") == 401);
    }

    @Test
    void theMemoryOfVerifiedTokensStaysBounded() {
        try (ServiceAccountKeys keys = new ServiceAccountKeys(config.workloadIdentity(), Clock.systemUTC(),
                Executors.newSingleThreadScheduledExecutor())) {
            keys.start();
            await().atMost(Duration.ofSeconds(10)).until(keys::loaded);
            ServiceAccountTokens tokens = new ServiceAccountTokens(config.workloadIdentity(), keys,
                    Map.of(ServiceAccounts.subject(NS + "/" + SA), new Caller("carol", Set.of("other"))),
                    Clock.systemUTC(), 8);

            for (int i = 0; i < 20; i++) {
                tokens.authenticate(issuer.token(NS, SA, ServiceAccountIssuer.ISSUER, ServiceAccountIssuer.AUDIENCE,
                        IN_AN_HOUR.plusSeconds(i), issuer.signingKey()));
            }

            assertThat(tokens.rememberedCount()).isBetween(1L, 8L);
        }
    }

    @Test
    void refusalsAreCountedInMetrics() {
        assertRefused(issuer.unsignedToken(NS, SA));
        String metrics = ManagementInterface.given().get("/q/metrics").asString();
        assertThat(metrics).containsPattern(
                "broker_auth_failures_total\\{reason=\"invalid-service-account-token\"[^}]*} [1-9]");
    }

    private static void assertRefused(String token) {
        given().header("Authorization", "Bearer " + token)
                .get("/token?client=other")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .contentType("application/problem+json");
    }

    /** A valid token issued at {@code issued}, expiring {@code lifetime} later. */
    private String tokenLiving(Instant issued, Duration lifetime) {
        JwtClaims claims = ServiceAccountIssuer.validClaims(NS, SA);
        claims.setIssuedAt(NumericDate.fromMilliseconds(issued.toEpochMilli()));
        claims.setNotBefore(NumericDate.fromMilliseconds(issued.toEpochMilli()));
        claims.setExpirationTime(NumericDate.fromMilliseconds(issued.plus(lifetime).toEpochMilli()));
        return ServiceAccountIssuer.sign(claims, issuer.signingKey());
    }

    private static int status(String token, String client) {
        return given().header("Authorization", "Bearer " + token).get("/token?client=" + client).statusCode();
    }
}
