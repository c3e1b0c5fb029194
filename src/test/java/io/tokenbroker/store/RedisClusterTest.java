package io.tokenbroker.store;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.RedisClusterTestResources;
import io.tokenbroker.testing.TestAccounts;
import io.tokenbroker.token.Lease;
import io.tokenbroker.token.StoredRecord;
import io.tokenbroker.token.TokenRecord;
import io.tokenbroker.token.TokenStore;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The lock, the fenced writes and the whole broker against a three-master Redis Cluster. */
@QuarkusTest
@WithTestResource(RedisClusterTestResources.class)
class RedisClusterTest {

    @Inject
    TokenStore store;

    @InjectPlatform
    PlatformStandIn platform;

    @Test
    void scriptsAndTheLockWorkOnEveryNode() {
        for (int i = 0; i < 20; i++) {
            String client = "cluster-" + UUID.randomUUID();
            Lease lease = store.tryLock(client, 0).orElseThrow();
            assertThat(store.tryLock(client, 0)).isEmpty();
            assertThat(store.renew(client, lease)).isTrue();

            Instant now = Instant.now();
            TokenRecord record = new TokenRecord("t-" + i, now, now.plusSeconds(60), lease.fence());
            StoredRecord nothing = store.read(client);
            assertThat(store.write(client, record, nothing)).isTrue();
            assertThat(store.write(client, record.withGeneration(lease.fence() + 1), nothing))
                    .as("compare-and-set against what was read before").isFalse();
            assertThat(store.read(client).present()).get().extracting(TokenRecord::token).isEqualTo("t-" + i);

            store.release(client, new Lease("not-the-owner", lease.fence()));
            assertThat(store.tryLock(client, 0)).isEmpty();
            store.release(client, lease);
            assertThat(store.tryLock(client, 0)).isPresent();
        }
    }

    @Test
    void everyClientIsReadAcrossTheClustersSlots() {
        java.util.List<String> clients = new java.util.ArrayList<>();
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        for (int i = 0; i < 30; i++) {
            String client = "batch-" + UUID.randomUUID();
            clients.add(client);
            store.write(client, new TokenRecord("b-" + i, now, now.plusSeconds(60), 1), store.read(client));
        }
        java.util.Map<String, StoredRecord> all = store.readAll(clients);
        for (int i = 0; i < 30; i++) {
            assertThat(all.get(clients.get(i)).present()).get().extracting(TokenRecord::token).isEqualTo("b-" + i);
        }
    }

    @Test
    void theBrokerServesTokensFromACluster() {
        String token = given().header("Authorization", "Bearer " + TestAccounts.ALICE_KEY)
                .get("/token?client=other").then().statusCode(200).extract().path("accessToken");
        assertThat(platform.isValid(token)).isTrue();
    }
}
