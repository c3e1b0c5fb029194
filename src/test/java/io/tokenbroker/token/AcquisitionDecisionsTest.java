package io.tokenbroker.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.testing.BrokerConfigs;
import io.tokenbroker.testing.MutableClock;
import io.tokenbroker.tracing.Spans;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The acquisition and refresh decisions of the core, on the in-memory store with a clock moved by
 * hand: what is called, what is kept, what is refused. Milliseconds each; the wiring to Redis and the
 * platform is proven by the integration tests.
 */
class AcquisitionDecisionsTest {

    private static final String CLIENT = "default";
    private static final Duration FLOOR = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final ScriptedIssuer platform = new ScriptedIssuer(clock);
    private SwitchableStore store;
    private TokenAcquirer acquirer;
    private TokenBroker broker;

    private void start(Map<String, String> overrides) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "broker.clients.default.base-url", "https://platform.example",
                "broker.clients.default.client-id", "app",
                "broker.clients.default.secret", "s3cret",
                "broker.lock.lease", "10s",
                "broker.lock.wait-timeout", "1s",
                "broker.token.min-forced-refresh-interval", FLOOR.toSeconds() + "s",
                "broker.callers.alice.clients", "*",
                "broker.callers.bob.clients", "*"));
        properties.putAll(overrides);
        BrokerConfig config = BrokerConfigs.of(properties);
        BrokerMetrics metrics = new BrokerMetrics(new SimpleMeterRegistry(), clock);
        store = new SwitchableStore(config.lock().lease(), clock);
        acquirer = new TokenAcquirer(store, platform, clock, clock, config, metrics, Spans.off());
        broker = new TokenBroker(config, acquirer, store, platform, clock, clock, metrics, Spans.off(), PeerRecords.NONE);
    }

    private void start() {
        start(Map.of());
    }

    @Test
    void aStoredTokenWithTimeLeftIsTakenWithoutCallingThePlatform() {
        start();
        Instant now = clock.instant();
        TokenRecord stored = new TokenRecord("stored", now, now.plus(Duration.ofHours(1)), 4);
        store.write(CLIENT, stored, StoredRecord.absent());

        assertThat(token()).isEqualTo(stored);
        assertThat(platform.calls()).isZero();
    }

    @Test
    void manyCallersOfOneReplicaShareOneAcquisitionAndOneLockAttempt() {
        start();
        platform.hold();
        List<CompletableFuture<TokenRecord>> callers = IntStream.range(0, 100)
                .mapToObj(i -> broker.currentToken(CLIENT).subscribeAsCompletionStage()).toList();
        platform.open();

        Set<String> tokens = callers.stream().map(f -> f.orTimeout(5, TimeUnit.SECONDS).join().token())
                .collect(Collectors.toSet());
        assertThat(tokens).containsExactly("t1");
        assertThat(platform.calls()).isEqualTo(1);
        assertThat(store.lockAttempts()).isEqualTo(1);
    }

    @Test
    void aReportOfATokenNewerThanTheStoredOneIsReplacedNotAnsweredWithTheOlder() {
        start();
        TokenRecord first = token();
        TokenRecord second = report(first.token());
        clock.advance(FLOOR);
        // Redis restored from a snapshot that still holds the first token.
        store.write(CLIENT, first, store.read(CLIENT));

        TokenRecord third = report(second.token());

        assertThat(third.token()).isEqualTo("t3");
        assertThat(third.generation()).isGreaterThan(second.generation());
        assertThat(platform.calls()).isEqualTo(3);
    }

    @Test
    void tokensThatForcedRefreshesProducedRefusedAgainDoubleTheFloorUntilARotationHelps() {
        start();
        TokenRecord first = token();
        TokenRecord second = report(first.token());
        clock.advance(FLOOR);
        TokenRecord third = report(second.token());
        assertThat(platform.calls()).isEqualTo(3);

        clock.advance(FLOOR);
        assertThatThrownBy(() -> report(third.token())).as("refused again: the floor is twice the base now")
                .hasRootCauseInstanceOf(RefreshTooSoonException.class);
        clock.advance(FLOOR);
        TokenRecord fourth = report(third.token());
        clock.advance(FLOOR.multipliedBy(3));
        assertThatThrownBy(() -> report(fourth.token())).as("and four times after that")
                .hasRootCauseInstanceOf(RefreshTooSoonException.class);
        assertThat(platform.calls()).isEqualTo(4);

        broker.rotationHelped(CLIENT);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            clock.advance(FLOOR);
            assertThat(report(fourth.token()).token()).as("a rotation that helped: the base floor again")
                    .isNotEqualTo(fourth.token());
        });
    }

    @Test
    void aClientHasAtMostItsDailyBudgetOfForcedRefreshes() {
        start(Map.of("broker.token.max-forced-refreshes-per-day", "3"));
        String current = token().token();
        for (int i = 0; i < 3; i++) {
            current = report(current).token();
            clock.advance(Duration.ofHours(2));
            current = token().token();
        }

        String spent = current;
        assertThatThrownBy(() -> report(spent)).hasRootCauseInstanceOf(RefreshTooSoonException.class)
                .rootCause().hasMessageContaining("max-forced-refreshes-per-day");
        clock.advance(Duration.ofHours(19));
        assertThat(report(spent).token()).as("a day after the first").isNotEqualTo(spent);
    }

    @Test
    void theForcedRefreshFloorHoldsInMemoryWhenTheSharedOneFails() {
        start();
        TokenRecord first = token();
        store.claimsDown(true);
        TokenRecord second = report(first.token());

        assertThatThrownBy(() -> report(second.token())).hasRootCauseInstanceOf(RefreshTooSoonException.class);
        assertThat(platform.calls()).isEqualTo(2);

        clock.advance(FLOOR);
        assertThat(report(second.token()).token()).isEqualTo("t3");
    }

    @Test
    void oneCallerForcesAtMostItsBudgetAcrossClientsPerFloor() {
        Map<String, String> clients = new HashMap<>(Map.of("broker.token.max-forced-refreshes-per-caller", "2"));
        for (String client : List.of("a", "b", "c")) {
            clients.put("broker.clients." + client + ".base-url", "https://platform.example");
            clients.put("broker.clients." + client + ".client-id", "app-" + client);
            clients.put("broker.clients." + client + ".secret", "s3cret");
        }
        start(clients);
        Map<String, String> current = new HashMap<>();
        for (String client : List.of("a", "b", "c")) {
            current.put(client, join(broker.currentToken(client).subscribeAsCompletionStage()).token());
        }

        report("a", current.get("a"), "alice");
        report("b", current.get("b"), "alice");
        assertThatThrownBy(() -> report("c", current.get("c"), "alice"))
                .hasRootCauseInstanceOf(RefreshTooSoonException.class).rootCause().hasMessageContaining("alice");
        assertThat(report("c", current.get("c"), "bob").token()).isNotEqualTo(current.get("c"));

        clock.advance(FLOOR);
        String now = join(broker.currentToken("a").subscribeAsCompletionStage()).token();
        assertThat(report("a", now, "alice").token()).isNotEqualTo(now);
    }

    @Test
    void duringAnOutageReportsCallThePlatformAtMostOncePerFloor() {
        start();
        TokenRecord first = token();
        store.down(true);

        List<CompletableFuture<TokenRecord>> reports = IntStream.range(0, 20)
                .mapToObj(i -> broker.replaceRejected(CLIENT, first.token(), "alice").subscribeAsCompletionStage()).toList();
        Set<String> answers = reports.stream().map(f -> f.orTimeout(5, TimeUnit.SECONDS).join().token())
                .collect(Collectors.toSet());

        assertThat(answers).containsExactly("t2");
        assertThat(platform.calls()).isEqualTo(2);
        assertThatThrownBy(() -> report("t2")).hasRootCauseInstanceOf(TokenUnavailableException.class);
        assertThat(platform.calls()).isEqualTo(2);
        clock.advance(FLOOR);
        assertThat(report("t2").token()).isEqualTo("t3");
    }

    @Test
    void failModeNeverCallsThePlatformWithoutTheStore() {
        start(Map.of("broker.redis-outage", "fail"));
        store.down(true);

        assertThatThrownBy(this::token).hasRootCauseInstanceOf(TokenUnavailableException.class);
        assertThat(platform.calls()).isZero();
    }

    @Test
    void aReplicaShuttingDownNeverCallsThePlatformWithoutTheStore() {
        start();
        acquirer.releaseAll(null);
        store.down(true);

        assertThatThrownBy(this::token).hasRootCauseInstanceOf(TokenUnavailableException.class)
                .rootCause().hasMessageContaining("shutting down");
        assertThat(platform.calls()).isZero();
    }

    @Test
    void aHolderWhoseLeaseRanOutBeforeTheCallLeavesItToTheNextHolder() {
        start(Map.of("broker.lock.wait-timeout", "20s"));
        store.afterNextLock(() -> clock.advance(Duration.ofSeconds(11)));

        TokenRecord record = token();

        assertThat(platform.withdrawnCalls()).as("the first holder's lease ran out: not called").isEqualTo(1);
        assertThat(platform.calls()).isEqualTo(1);
        assertThat(record.token()).isEqualTo("t1");
        assertThat(store.lockAttempts()).isEqualTo(2);
    }

    @Test
    void aLeaseIsBelievedUntilATenthBeforeItRunsOutAndNeverAfterARefusedRenewal() {
        start();
        Lease granted = store.tryLock(CLIENT, 0).orElseThrow();
        HeldLease held = new HeldLease(CLIENT, granted, Duration.ofSeconds(10), clock.nanos(), clock);

        clock.advance(Duration.ofMillis(8_999));
        assertThat(held.valid()).isTrue();
        held.renew(store);
        clock.advance(Duration.ofMillis(8_999));
        assertThat(held.valid()).as("renewed").isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(held.valid()).as("9 s after the last renewal").isFalse();

        store.release(CLIENT, granted);
        Lease other = store.tryLock(CLIENT, 0).orElseThrow();
        HeldLease lost = new HeldLease(CLIENT, granted, Duration.ofSeconds(10), clock.nanos(), clock);
        lost.renew(store);
        assertThat(lost.valid()).as("another replica holds the lock").isFalse();
        assertThat(other.fence()).isGreaterThan(granted.fence());
    }

    @Test
    void aWallClockSteppedBackNeverLengthensALease() {
        start();
        Lease granted = store.tryLock(CLIENT, 0).orElseThrow();
        HeldLease held = new HeldLease(CLIENT, granted, Duration.ofSeconds(10), clock.nanos(), clock);

        clock.step(Duration.ofHours(-1));
        clock.advance(Duration.ofMillis(9_000));

        assertThat(held.valid()).as("9 s of real time later, whatever NTP did to the wall clock").isFalse();
    }

    @Test
    void aWriteBackRenumbersAboveTheStoreButNeverReplacesANewerRecord() {
        start();
        Instant now = clock.instant();
        store.write(CLIENT, new TokenRecord("older", now, now.plusSeconds(600), 1), StoredRecord.absent());
        TokenRecord mine = new TokenRecord("mine", now, now.plusSeconds(600), 3);

        TokenRecord written = acquirer.writeBack(CLIENT, mine).orElseThrow();
        assertThat(written.token()).isEqualTo("mine");
        assertThat(written.generation()).isGreaterThan(3);

        TokenRecord stale = new TokenRecord("stale", now, now.plusSeconds(600), 2);
        assertThat(acquirer.writeBack(CLIENT, stale)).contains(written);
        assertThat(store.read(CLIENT).present()).contains(written);
    }

    private TokenRecord token() {
        return join(broker.currentToken(CLIENT).subscribeAsCompletionStage());
    }

    private TokenRecord report(String rejected) {
        return report(CLIENT, rejected, "alice");
    }

    private TokenRecord report(String client, String rejected, String caller) {
        return join(broker.replaceRejected(client, rejected, caller).subscribeAsCompletionStage());
    }

    private static TokenRecord join(CompletableFuture<TokenRecord> future) {
        return future.orTimeout(5, TimeUnit.SECONDS).join();
    }
}
