package io.tokenbroker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.ServiceAccounts;
import io.tokenbroker.testing.BrokerConfigs;
import io.tokenbroker.testing.MutableClock;
import io.tokenbroker.testing.ServiceAccountIssuer;
import io.tokenbroker.testing.TestAccounts;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jose4j.jwk.RsaJsonWebKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The early fetch of the issuer's keys that a token signed with an unknown key asks for, throttled to
 * one per {@code jwks-min-refresh-interval}: whoever sends tokens with made-up {@code kid}s cannot make
 * the broker hammer the API server. Against an issuer of its own, whose fetches only these keys make.
 */
class ServiceAccountKeysTest {

    private static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);
    private static final String SERVICE_ACCOUNT = TestAccounts.CAROL_NAMESPACE + "/" + TestAccounts.CAROL_ACCOUNT;

    private final MutableClock clock = new MutableClock(Instant.now());
    /** The keys' one thread: every fetch runs on it, in the order asked for. */
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final RsaJsonWebKey unknownKey = ServiceAccountIssuer.newKey("unknown");
    private ServiceAccountIssuer issuer;
    private ServiceAccountTokens tokens;

    @BeforeEach
    void start() {
        issuer = ServiceAccountIssuer.start();
        BrokerConfig.WorkloadIdentity config = BrokerConfigs.of(Map.of(
                "broker.workload-identity.jwks-url", issuer.jwksUrl(),
                "broker.workload-identity.jwks-min-refresh-interval", MIN_REFRESH_INTERVAL.toSeconds() + "s"))
                .workloadIdentity();
        // Closed with its scheduler, after each test.
        ServiceAccountKeys keys = new ServiceAccountKeys(config, clock, scheduler);
        keys.start();
        await().atMost(Duration.ofSeconds(10)).until(keys::loaded);
        tokens = new ServiceAccountTokens(config, keys,
                Map.of(ServiceAccounts.subject(SERVICE_ACCOUNT), new Caller("carol", Set.of("other"))), clock);
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        issuer.close();
    }

    @Test
    void tokensWithUnknownKeysFetchTheKeysAtMostOncePerMinimumInterval() throws Exception {
        allFetchesAskedForHaveRun();
        assertThat(issuer.fetches()).as("fetches at start").isEqualTo(1);

        for (int i = 0; i < 25; i++) {
            assertRefused(signedWithUnknownKid("unknown-" + i));
            clock.advance(Duration.ofSeconds(1));
        }
        allFetchesAskedForHaveRun();
        assertThat(issuer.fetches()).as("fetches after 25 unknown kids within %s", MIN_REFRESH_INTERVAL)
                .isEqualTo(2);

        clock.advance(MIN_REFRESH_INTERVAL);
        assertRefused(signedWithUnknownKid("unknown-late-1"));
        assertRefused(signedWithUnknownKid("unknown-late-2"));
        allFetchesAskedForHaveRun();
        assertThat(issuer.fetches()).as("fetches once the interval had passed").isEqualTo(3);
    }

    /** A valid token of the known caller, signed with a key the issuer never published, under {@code kid}. */
    private String signedWithUnknownKid(String kid) {
        unknownKey.setKeyId(kid);
        return ServiceAccountIssuer.sign(ServiceAccountIssuer.validClaims(TestAccounts.CAROL_NAMESPACE,
                TestAccounts.CAROL_ACCOUNT), unknownKey);
    }

    private void assertRefused(String token) {
        assertThatThrownBy(() -> tokens.authenticate(token)).isInstanceOf(NotAuthenticatedException.class);
    }

    /**
     * Waits for a task queued behind every fetch asked for so far: the keys' thread runs them in order,
     * each to its end (the issuer counts a fetch as it arrives), so a fetch asked for cannot be missed.
     */
    private void allFetchesAskedForHaveRun() throws Exception {
        scheduler.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }
}
