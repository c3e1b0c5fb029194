package io.tokenbroker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.token.ForcedRefreshClaim;
import io.tokenbroker.token.ForcedRefreshLimits;
import io.tokenbroker.token.Lease;
import io.tokenbroker.token.LockHolder;
import io.tokenbroker.token.StoredRecord;
import io.tokenbroker.token.TokenRecord;
import io.tokenbroker.token.TokenStore;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
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

    @Inject
    BrokerConfig config;

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
    void operatorsSeeTheLocksHolderAndItsLeaseUntilItIsReleased() {
        String client = fresh();
        assertThat(store.lockHolder(client)).isEmpty();
        Lease held = store.tryLock(client, 0).orElseThrow();

        LockHolder holder = store.lockHolder(client).orElseThrow();

        assertThat(holder.owner()).isEqualTo(held.owner()).contains("/" + ProcessHandle.current().pid() + "/");
        assertThat(holder.remaining()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
        store.release(client, held);
        assertThat(store.lockHolder(client)).isEmpty();

        redis.value(String.class).set("token-broker:{" + client + "}:lock", "x".repeat(500));
        assertThat(store.lockHolder(client).orElseThrow()).as("planted: no expiry, owner cut short")
                .satisfies(planted -> assertThat(planted.remaining()).isNull())
                .satisfies(planted -> assertThat(planted.owner()).hasSize(LockHolder.MAX_OWNER_LENGTH + 1));
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
    void fencingNumbersStayAboveEveryGenerationTheCallerVerified() {
        String client = fresh();
        Lease aboveKnown = store.tryLock(client, 41).orElseThrow();
        assertThat(aboveKnown.fence()).isGreaterThan(41);
        store.release(client, aboveKnown);
        assertThat(store.tryLock(client, 0).orElseThrow().fence()).isGreaterThan(aboveKnown.fence());
    }

    @Test
    void aPlantedGenerationOrCounterNeitherDefeatsFencingNorBlocksTheNextWrite() {
        String client = fresh();
        redis.hash(String.class).hset(recordKey(client), Map.of("token", "planted", "generation", "9000000000000000000",
                "acquired-at", Long.toString(System.currentTimeMillis()),
                "expires-at", Long.toString(System.currentTimeMillis() + 60_000)));
        redis.value(String.class).set("token-broker:{" + client + "}:fence", "99999999999999999999");

        StoredRecord planted = store.read(client);
        assertThat(planted.present()).as("a generation beyond any real count is refused").isEmpty();
        assertThat(planted.unreadable()).isTrue();
        Lease lease = store.tryLock(client, 5).orElseThrow();
        assertThat(lease.fence()).isEqualTo(6);

        assertThat(store.write(client, record("real", Instant.now(), lease.fence()), planted)).isTrue();
        assertThat(store.read(client).present()).get().extracting(TokenRecord::token).isEqualTo("real");
    }

    @Test
    void aLockOrCounterWrittenBySomeoneElseBlocksNothing() {
        String client = fresh();
        redis.value(String.class).set("token-broker:{" + client + "}:lock", "planted, no TTL");
        redis.hash(String.class).hset("token-broker:{" + client + "}:fence", Map.of("not", "a counter"));

        Lease lease = store.tryLock(client, 3).orElseThrow();

        assertThat(lease.fence()).isEqualTo(4);
        assertThat(store.tryLock(client, 3)).as("a lock the broker took still excludes").isEmpty();
    }

    private static final ForcedRefreshLimits LIMITS = new ForcedRefreshLimits(Duration.ofMillis(200),
            Duration.ofMillis(800), 4);
    private static final ForcedRefreshLimits AMPLE_BUDGET = new ForcedRefreshLimits(Duration.ofMillis(200),
            Duration.ofMillis(800), 100);

    @Test
    void aForcedRefreshIsClaimedOncePerFloorUnlessWithdrawn() {
        String client = fresh();
        ForcedRefreshClaim first = store.claimForcedRefresh(client, 1, 2, LIMITS);
        assertThat(first.granted()).isTrue();
        assertThat(first.after()).isEqualTo(Duration.ofMillis(200));
        assertThat(first.leftToday()).isEqualTo(3);
        ForcedRefreshClaim second = store.claimForcedRefresh(client, 1, 3, LIMITS);
        assertThat(second.granted()).isFalse();
        assertThat(second.budgetSpent()).isFalse();
        assertThat(second.after()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(200));

        store.forgetForcedRefresh(client);

        ForcedRefreshClaim again = store.claimForcedRefresh(client, 1, 3, LIMITS);
        assertThat(again.granted()).isTrue();
        assertThat(again.leftToday()).as("the withdrawn claim gave its place back").isEqualTo(3);
    }

    @Test
    void theFloorDoublesWhileTheTokenAForcedRefreshProducedIsRefusedAgainAndAHelpResetsIt() {
        String client = fresh();
        assertThat(store.claimForcedRefresh(client, 1, 2, AMPLE_BUDGET).after()).isEqualTo(Duration.ofMillis(200));
        redis.key().del("token-broker:{" + client + "}:forced");
        assertThat(store.claimForcedRefresh(client, 2, 3, AMPLE_BUDGET).after()).as("generation 2, just produced, refused")
                .isEqualTo(Duration.ofMillis(400));
        redis.key().del("token-broker:{" + client + "}:forced");
        assertThat(store.claimForcedRefresh(client, 3, 4, AMPLE_BUDGET).after()).isEqualTo(Duration.ofMillis(800));
        redis.key().del("token-broker:{" + client + "}:forced");
        assertThat(store.claimForcedRefresh(client, 4, 5, AMPLE_BUDGET).after()).as("never beyond the longest floor")
                .isEqualTo(Duration.ofMillis(800));
        assertThat(redis.key().pttl("token-broker:{" + client + "}:forced")).isPositive().isLessThanOrEqualTo(800);

        store.forcedRefreshHelped(client, Duration.ofMillis(200));
        assertThat(redis.key().pttl("token-broker:{" + client + "}:forced")).as("the claim in force back to the base")
                .isPositive().isLessThanOrEqualTo(200);
        redis.key().del("token-broker:{" + client + "}:forced");

        assertThat(store.claimForcedRefresh(client, 5, 6, AMPLE_BUDGET).after()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void theDailyBudgetHoldsAcrossClaimsAndSaysSo() {
        String client = fresh();
        for (int i = 0; i < 4; i++) {
            redis.key().del("token-broker:{" + client + "}:forced");
            assertThat(store.claimForcedRefresh(client, 10 + i, 20 + i, LIMITS).granted()).isTrue();
        }
        redis.key().del("token-broker:{" + client + "}:forced");

        ForcedRefreshClaim spent = store.claimForcedRefresh(client, 30, 31, LIMITS);

        assertThat(spent.granted()).isFalse();
        assertThat(spent.budgetSpent()).isTrue();
        assertThat(spent.leftToday()).isZero();
        assertThat(spent.after()).isGreaterThan(Duration.ofHours(23));
    }

    @Test
    void forcedRefreshAndLockKeysSomeoneElsePlantedWithLongerTtlsAreRemoved() {
        String client = fresh();
        String forced = "token-broker:{" + client + "}:forced";
        String today = "token-broker:{" + client + "}:forced-today";
        assertThat(redis.execute("SET", forced, "planted", "PX", "86400000").toString()).isEqualTo("OK");
        assertThat(redis.execute("SET", today, "not a number", "PX", "3600000").toString()).isEqualTo("OK");
        assertThat(store.claimForcedRefresh(client, 1, 2, LIMITS).granted()).as("a forced key living a day").isTrue();

        String lock = "token-broker:{" + client + "}:lock";
        assertThat(redis.execute("SET", lock, "planted", "PX", "3600000").toString()).isEqualTo("OK");
        assertThat(store.tryLock(client, 0)).as("a lock key living an hour").isPresent();

        String caller = "caller-" + UUID.randomUUID();
        String spent = "token-broker:caller:{" + caller + "}:forced";
        assertThat(redis.execute("SET", spent, "99", "PX", "86400000").toString()).isEqualTo("OK");
        assertThat(store.spendCallerRefresh(caller, 2, Duration.ofSeconds(30))).as("a caller count living a day")
                .isTrue();
    }

    @Test
    void aCallersBudgetIsSharedByEveryReplicaAndAGiftBackFreesAPlace() {
        String caller = "caller-" + UUID.randomUUID();
        assertThat(store.spendCallerRefresh(caller, 2, Duration.ofSeconds(30))).isTrue();
        assertThat(store.spendCallerRefresh(caller, 2, Duration.ofSeconds(30))).isTrue();
        assertThat(store.spendCallerRefresh(caller, 2, Duration.ofSeconds(30))).isFalse();

        store.giveBackCallerRefresh(caller);

        assertThat(store.spendCallerRefresh(caller, 2, Duration.ofSeconds(30))).isTrue();
        assertThat(redis.key().pttl("token-broker:caller:{" + caller + "}:forced")).isPositive()
                .isLessThanOrEqualTo(30_000);
    }

    @Test
    void aWriterThatReadAnOlderRecordNeverOverwritesWhatANewerHolderStored() {
        String client = fresh();
        Instant now = Instant.now();
        assertThat(write(client, record("first", now, 5))).isTrue();
        StoredRecord pausedHolderRead = store.read(client);
        assertThat(store.write(client, record("newer-holder", now, 7), store.read(client))).isTrue();

        assertThat(store.write(client, record("paused-holder", now, 6), pausedHolderRead)).isFalse();
        assertThat(store.write(client, record("paused-holder", now, 9), pausedHolderRead))
                .as("not even with a higher number: what it read is gone").isFalse();
        assertThat(store.read(client).present()).get().extracting(TokenRecord::token).isEqualTo("newer-holder");
    }

    @Test
    void aKeyOfAnotherTypeReadsAsUnreadableAndTheNextWriteReplacesIt() {
        String client = fresh();
        redis.value(String.class).set(recordKey(client), "not a hash");

        StoredRecord wrongType = store.read(client);
        assertThat(wrongType.unreadable()).isTrue();
        assertThat(wrongType.present()).isEmpty();
        Lease lease = store.tryLock(client, 0).orElseThrow();
        assertThat(store.write(client, record("repaired", Instant.now(), lease.fence()), wrongType)).isTrue();
        assertThat(store.read(client).present()).get().extracting(TokenRecord::token).isEqualTo("repaired");
    }

    @Test
    void clearRecordsOutOfRangeAreRefused() {
        long now = System.currentTimeMillis();
        assertRefused(Map.of("token", "t", "generation", "1", "acquired-at", Long.toString(now),
                "expires-at", Long.toString(now + Duration.ofHours(3).toMillis())), "expiry beyond the lifetime");
        assertRefused(Map.of("token", "bad token", "generation", "1", "acquired-at", Long.toString(now),
                "expires-at", Long.toString(now + 60_000)), "a token that cannot travel in a header");
        assertRefused(Map.of("token", "t", "generation", "0", "acquired-at", Long.toString(now),
                "expires-at", Long.toString(now + 60_000)), "generation 0");
        assertRefused(Map.of("token", "t", "generation", "1", "acquired-at", "yesterday",
                "expires-at", Long.toString(now + 60_000)), "a malformed time");
    }

    @Test
    void aRecordFromAHostWhoseClockRunsAnHourAheadIsBelievedButNeverServedLongerThanANewToken() {
        String client = fresh();
        long now = System.currentTimeMillis();
        long handedOutFor = config.token().handedOutFor().toMillis();
        redis.hash(String.class).hset(recordKey(client), Map.of("token", "from-ahead", "generation", "5",
                "acquired-at", Long.toString(now + 3_600_000), "expires-at", Long.toString(now + 3_600_000 + handedOutFor)));

        TokenRecord read = store.read(client).present().orElseThrow();

        assertThat(read.token()).isEqualTo("from-ahead");
        assertThat(read.generation()).isEqualTo(5);
        assertThat(read.expiresAt().toEpochMilli()).as("clamped to what a token obtained now is handed out for")
                .isBetween(now + handedOutFor - 1_000, System.currentTimeMillis() + handedOutFor);
    }

    @Test
    void theRecordsTtlRunsToItsExpiryAndStaysBelowTwoHours() {
        String client = fresh();
        Instant acquired = Instant.now();
        TokenRecord record = new TokenRecord("t", acquired, acquired.plus(Duration.ofMinutes(115)), 1);
        write(client, record);

        long ttl = redis.key().pttl(recordKey(client));
        assertThat(ttl).isGreaterThan(0).isLessThan(Duration.ofHours(2).toMillis());
        assertThat(ttl).isCloseTo(Duration.ofMinutes(115).toMillis(), org.assertj.core.data.Offset.offset(5_000L));
    }

    @Test
    void aRecordReadsBackAsWritten() {
        String client = fresh();
        Instant acquired = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        TokenRecord record = new TokenRecord("tok", acquired, acquired.plusSeconds(60), 3);
        write(client, record);
        assertThat(store.read(client).present()).contains(record);
    }

    @Test
    void anExpiredRecordIsNotWritten() {
        String client = fresh();
        Instant past = Instant.now().minusSeconds(10);
        assertThat(write(client, new TokenRecord("t", past, past.plusSeconds(5), 1))).isFalse();
        assertThat(store.read(client).present()).isEmpty();
    }

    @Test
    void everyClientIsReadInOneBatchAndAKeyOfAnotherTypeSpoilsOnlyItsOwnRead() {
        String stored = fresh();
        String wrongType = fresh();
        String absent = fresh();
        TokenRecord record = record("batched", Instant.now().truncatedTo(ChronoUnit.MILLIS), 2);
        write(stored, record);
        redis.value(String.class).set(recordKey(wrongType), "not a hash");

        Map<String, StoredRecord> all = store.readAll(java.util.List.of(stored, wrongType, absent));

        assertThat(all.get(stored).present()).contains(record);
        assertThat(all.get(wrongType).unreadable()).isTrue();
        assertThat(all.get(absent)).isEqualTo(StoredRecord.absent());
        redis.key().del(recordKey(wrongType));
        assertThat(store.readAll(java.util.List.of(stored, absent)).get(stored).present()).contains(record);
    }

    @Test
    void scriptsSurviveAFlushedScriptCache() {
        String client = fresh();
        redis.execute("SCRIPT", "FLUSH");
        assertThat(store.tryLock(client, 0)).isPresent();
    }

    private void assertRefused(Map<String, String> fields, String why) {
        String client = fresh();
        redis.hash(String.class).hset(recordKey(client), fields);
        StoredRecord read = store.read(client);
        assertThat(read.present()).as(why).isEmpty();
        assertThat(read.unreadable()).as(why).isTrue();
    }

    private boolean write(String client, TokenRecord record) {
        return store.write(client, record, store.read(client));
    }

    private static String recordKey(String client) {
        return "token-broker:{" + client + "}:token";
    }

    private static TokenRecord record(String token, Instant acquired, long generation) {
        return new TokenRecord(token, acquired, acquired.plusSeconds(600), generation);
    }

    private static String fresh() {
        return "store-test-" + UUID.randomUUID();
    }
}
