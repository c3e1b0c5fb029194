package io.tokenbroker.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.InjectPlatform;
import io.tokenbroker.testing.PlatformStandIn;
import io.tokenbroker.testing.TestAccounts;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** One replica's callers share one acquisition. (Several replicas: see BrokerReplicasIT.) */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class ConcurrentCallersTest {

    @Inject
    TokenBroker broker;

    @InjectPlatform
    PlatformStandIn platform;

    @Inject
    RedisDataSource redis;

    @Test
    void manyColdCallersOfOneReplicaShareOneAcquisition() {
        assertThat(platform.calls(TestAccounts.clientId("cold"))).as("no test fetched this client before").isZero();
        platform.latency(Duration.ofMillis(300));
        long scriptsBefore = commandCalls("evalsha") + commandCalls("eval");
        long lockAttemptsBefore = commandCalls("set");
        try {
            List<CompletableFuture<TokenRecord>> pending = IntStream.range(0, 1000).parallel()
                    .mapToObj(i -> broker.currentToken("cold").subscribeAsCompletionStage())
                    .toList();
            List<TokenRecord> records = pending.stream()
                    .map(future -> future.orTimeout(10, TimeUnit.SECONDS).join())
                    .toList();

            Set<String> tokens = records.stream().map(TokenRecord::token).collect(Collectors.toSet());
            assertThat(tokens).hasSize(1);
            assertThat(platform.calls(TestAccounts.clientId("cold"))).isEqualTo(1);
            assertThat(platform.isValid(tokens.iterator().next())).isTrue();
            // One acquisition reads, locks, writes and releases a few times; 1000 callers each taking
            // their own turn at the lock would send thousands of commands (the background check of
            // every client reads a few dozen records meanwhile, each read a script of its own).
            assertThat(commandCalls("evalsha") + commandCalls("eval") - scriptsBefore).as("reads, lock and write scripts")
                    .isLessThan(200);
            assertThat(commandCalls("set") - lockAttemptsBefore).as("attempts at the lock (SET NX in lock.lua)")
                    .isLessThan(20);
        } finally {
            platform.latency(Duration.ZERO);
        }
    }

    /** How often Redis has run {@code command} since it started ({@code INFO commandstats}). */
    private long commandCalls(String command) {
        String stats = redis.execute("INFO", "commandstats").toString();
        java.util.regex.Matcher calls = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
                .matcher(stats);
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }

    @Test
    void aCallerHangingUpDoesNotFailTheOthersSharingItsAcquisition() {
        platform.latency(Duration.ofMillis(300));
        try {
            CompletableFuture<TokenRecord> leaving = broker.currentToken("hangup").subscribeAsCompletionStage();
            CompletableFuture<TokenRecord> staying = broker.currentToken("hangup").subscribeAsCompletionStage();

            leaving.cancel(true);

            TokenRecord record = staying.orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(platform.isValid(record.token())).isTrue();
            assertThat(platform.calls(TestAccounts.clientId("hangup"))).isEqualTo(1);
        } finally {
            platform.latency(Duration.ZERO);
        }
    }

    @Test
    void aFreshTokenIsServedFromMemoryWithoutWaiting() {
        TokenRecord first = broker.currentToken("other").await().atMost(Duration.ofSeconds(5));
        int calls = platform.calls(TestAccounts.clientId("other"));

        CompletableFuture<TokenRecord> again = broker.currentToken("other").subscribeAsCompletionStage();

        assertThat(again).isCompletedWithValue(first);
        assertThat(platform.calls(TestAccounts.clientId("other"))).isEqualTo(calls);
    }
}
