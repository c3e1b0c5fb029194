package io.tokenbroker.store;

import io.tokenbroker.token.TokenRecord;
import io.tokenbroker.token.TokenStore;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** With {@code broker.store.encryption-key} set, Redis never holds a usable token. */
@QuarkusTest
@TestProfile(EncryptedRedisStoreTest.Encrypted.class)
@WithTestResource(BrokerTestResources.class)
class EncryptedRedisStoreTest {

    public static class Encrypted implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("broker.store.encryption-key", TokenCipherTest.KEY,
                    "broker.store.previous-encryption-key", TokenCipherTest.OLD_KEY);
        }
    }

    @Inject
    RedisDataSource redis;

    @Inject
    TokenStore store;

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void theTokenIsStoredAsCiphertextAndServedInTheClear() {
        String token = given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token")
                .then().statusCode(200).extract().path("accessToken");

        Map<String, String> stored = redis.hash(String.class).hgetall("token-broker:{default}:token");
        assertThat(stored.get("token")).startsWith("aes256gcm:");
        assertThat(stored.values()).noneMatch(value -> value.contains(token));
        assertThat(store.read("default")).get().extracting(TokenRecord::token).isEqualTo(token);
        assertThat(platform.isValid(token)).isTrue();
    }

    @Test
    void aReplicaWithTheRotatedKeyPairReadsValuesSealedWithThePreviousKey() {
        String sealedWithOld = new TokenCipher(TokenCipherTest.OLD_KEY, Optional.empty()).seal("other", "tok-old-key");
        redis.hash(String.class).hset("token-broker:{other}:token", Map.of("token", sealedWithOld,
                "acquired-at", Long.toString(System.currentTimeMillis()),
                "expires-at", Long.toString(System.currentTimeMillis() + 60_000), "generation", "1"));

        assertThat(store.read("other")).get().extracting(TokenRecord::token).isEqualTo("tok-old-key");
    }
}
