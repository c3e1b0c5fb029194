package io.tokenbroker.store;

import io.tokenbroker.token.Lease;
import io.tokenbroker.token.TokenRecord;
import io.tokenbroker.token.TokenStore;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The lock, the fencing and the TTL, against the real Redis server the test resource started. */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class RedisTokenStoreTest {

    @Inject
    TokenStore store;

    @Inject
    RedisDataSource redis;

    @Test
    void theTestBrokerUsesRedis() {
        assertThat(store).isInstanceOf(RedisTokenStore.class);
    }

    @Test
    void theLockHasOneHolderAtATime() {
        String client = fresh();
        Optional<Lease> first = store.tryLock(client, 0);
        assertThat(first).isPresent();
        assertThat(store.tryLock(client, 0)).isEmpty();

        store.release(client, first.get());
        assertThat(store.tryLock(client, 0)).isPresent();
    }

    @Test
    void theLockIsNeverReleasedByANonOwner() {
        String client = fresh();
        Lease held = store.tryLock(client, 0).orElseThrow();

        store.release(client, new Lease("someone-else", held.fence()));

        assertThat(store.tryLock(client, 0)).isEmpty();
        assertThat(redis.value(String.class).get("token-broker:{" + client + "}:lock")).isEqualTo(held.owner());
    }

    @Test
    void theLockExpiresWithItsLease() {
        String client = fresh();
        store.tryLock(client, 0).orElseThrow();
        long pttl = redis.key().pttl("token-broker:{" + client + "}:lock");
        assertThat(pttl).isGreaterThan(0).isLessThanOrEqualTo(10_000);
    }

    @Test
    void fencingNumbersGrowWithEveryLease() {
        String client = fresh();
        Lease first = store.tryLock(client, 0).orElseThrow();
        store.release(client, first);
        Lease second = store.tryLock(client, 0).orElseThrow();
        assertThat(second.fence()).isGreaterThan(first.fence());
    }

    @Test
    void fencingNumbersStayAboveEveryGenerationAReplicaOrTheStoreKnows() {
        String client = fresh();
        Lease aboveKnown = store.tryLock(client, 41).orElseThrow();
        assertThat(aboveKnown.fence()).isGreaterThan(41);
        store.release(client, aboveKnown);

        Instant now = Instant.now();
        store.write(client, record("written-back", now, 100));
        assertThat(store.tryLock(client, 0).orElseThrow().fence()).isGreaterThan(100);
    }

    @Test
    void aForcedRefreshIsClaimedOncePerIntervalUnlessWithdrawn() {
        String client = fresh();
        assertThat(store.claimForcedRefresh(client, Duration.ofSeconds(30))).isTrue();
        assertThat(store.claimForcedRefresh(client, Duration.ofSeconds(30))).isFalse();
        store.forgetForcedRefresh(client);
        assertThat(store.claimForcedRefresh(client, Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void anOlderGenerationNeverOverwritesANewerOne() {
        String client = fresh();
        Instant now = Instant.now();
        assertThat(store.write(client, record("newer", now, 7))).isTrue();

        assertThat(store.write(client, record("older", now, 6))).isFalse();
        assertThat(store.write(client, record("same", now, 7))).isFalse();

        assertThat(store.read(client)).get().extracting(TokenRecord::token).isEqualTo("newer");
        assertThat(store.write(client, record("next", now, 8))).isTrue();
        assertThat(store.read(client)).get().extracting(TokenRecord::token).isEqualTo("next");
    }

    @Test
    void theRecordsTtlRunsToItsExpiryAndStaysBelowTwoHours() {
        String client = fresh();
        Instant acquired = Instant.now();
        TokenRecord record = new TokenRecord("t", acquired, acquired.plus(Duration.ofMinutes(115)), 1);
        store.write(client, record);

        long ttl = redis.key().pttl("token-broker:{" + client + "}:token");
        assertThat(ttl).isGreaterThan(0).isLessThan(Duration.ofHours(2).toMillis());
        assertThat(ttl).isCloseTo(Duration.ofMinutes(115).toMillis(), org.assertj.core.data.Offset.offset(5_000L));
    }

    @Test
    void aRecordReadsBackAsWritten() {
        String client = fresh();
        Instant acquired = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        TokenRecord record = new TokenRecord("tok", acquired, acquired.plusSeconds(60), 3);
        store.write(client, record);
        assertThat(store.read(client)).contains(record);
    }

    @Test
    void anExpiredRecordIsNotWritten() {
        String client = fresh();
        Instant past = Instant.now().minusSeconds(10);
        assertThat(store.write(client, new TokenRecord("t", past, past.plusSeconds(5), 1))).isFalse();
        assertThat(store.read(client)).isEmpty();
    }

    @Test
    void scriptsSurviveAFlushedScriptCache() {
        String client = fresh();
        redis.execute("SCRIPT", "FLUSH");
        assertThat(store.tryLock(client, 0)).isPresent();
    }

    private static TokenRecord record(String token, Instant acquired, long generation) {
        return new TokenRecord(token, acquired, acquired.plusSeconds(600), generation);
    }

    private static String fresh() {
        return "store-test-" + UUID.randomUUID();
    }
}
