package io.tokenbroker.store;

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
import io.tokenbroker.token.StoredRecord;
import io.tokenbroker.token.TokenRecord;
import io.tokenbroker.token.TokenStore;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * With {@code broker.store.encryption-key} set, Redis never holds a usable token, and nothing written
 * to Redis without the key is ever served.
 */
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
    void theWholeRecordIsSealedAndTheTokenServedInTheClear() {
        String token = given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token")
                .then().statusCode(200).extract().path("accessToken");

        Map<String, String> stored = redis.hash(String.class).hgetall(key("default"));
        assertThat(stored).containsOnlyKeys("sealed", "generation");
        assertThat(stored.get("sealed")).startsWith("aes256gcm:");
        assertThat(stored.values()).noneMatch(value -> value.contains(token));
        assertThat(store.read("default").present()).get().extracting(TokenRecord::token).isEqualTo(token);
        assertThat(platform.isValid(token)).isTrue();
    }

    @Test
    void aClearRecordPlantedWithAHugeGenerationIsNeverServed() {
        long now = System.currentTimeMillis();
        redis.hash(String.class).hset(key("other"), Map.of("token", "planted-token", "generation",
                "9000000000000000000", "acquired-at", Long.toString(now), "expires-at", Long.toString(now + 600_000)));

        String served = given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY).get("/token?client=other")
                .then().statusCode(200).extract().path("accessToken");

        assertThat(served).isNotEqualTo("planted-token");
        assertThat(platform.isValid(served)).isTrue();
        assertThat(redis.hash(String.class).hget(key("other"), "generation")).isNotEqualTo("9000000000000000000");
    }

    @Test
    void tamperedForeignMovedAndRenumberedRecordsAreRefused() {
        String client = "sealed-" + UUID.randomUUID();
        TokenRecord record = record(4);
        store.write(client, record, store.read(client));
        Map<String, String> genuine = redis.hash(String.class).hgetall(key(client));
        assertThat(store.read(client).present()).contains(record);

        assertRefused(client, with(genuine, "generation", "5"), "a clear generation that differs from the sealed one");
        String sealed = genuine.get("sealed");
        String flipped = sealed.substring(0, 30) + (sealed.charAt(30) == 'A' ? 'B' : 'A') + sealed.substring(31);
        assertRefused(client, with(genuine, "sealed", flipped), "a tampered ciphertext");
        String foreign = TokenCipherTest.only(TokenCipherTest.FOREIGN_KEY).seal(client, "v1\n4\n1\n2\ntok");
        assertRefused(client, with(genuine, "sealed", foreign), "a value sealed with a foreign key");
        redis.key().del(key(client));
        String elsewhere = "sealed-" + UUID.randomUUID();
        store.write(elsewhere, record, store.read(elsewhere));
        assertRefused(client, redis.hash(String.class).hgetall(key(elsewhere)), "another client's record");
    }

    @Test
    void aRecordSealedWithThePreviousKeyIsReadAfterARotation() {
        String client = "rotated-" + UUID.randomUUID();
        TokenRecord record = record(2);
        RecordCodec before = new RecordCodec(Optional.of(TokenCipherTest.only(TokenCipherTest.OLD_KEY)),
                java.time.Duration.ofHours(2), java.time.Clock.systemUTC());
        redis.hash(String.class).hset(key(client), pairs(before.encode(client, record)));

        assertThat(store.read(client).present()).contains(record);
    }

    private void assertRefused(String client, Map<String, String> fields, String why) {
        redis.key().del(key(client));
        redis.hash(String.class).hset(key(client), fields);
        StoredRecord read = store.read(client);
        assertThat(read.present()).as(why).isEmpty();
        assertThat(read.unreadable()).as(why).isTrue();
    }

    private static TokenRecord record(long generation) {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        return new TokenRecord("tok-" + generation, now, now.plusSeconds(600), generation);
    }

    private static Map<String, String> with(Map<String, String> fields, String name, String value) {
        Map<String, String> changed = new HashMap<>(fields);
        changed.put(name, value);
        return changed;
    }

    private static Map<String, String> pairs(java.util.List<String> namesAndValues) {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i < namesAndValues.size(); i += 2) {
            fields.put(namesAndValues.get(i), namesAndValues.get(i + 1));
        }
        return fields;
    }

    private static String key(String client) {
        return "token-broker:{" + client + "}:token";
    }
}
