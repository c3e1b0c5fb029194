package io.tokenbroker.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.tokenbroker.token.ForcedRefreshClaim;
import io.tokenbroker.token.ForcedRefreshLimits;
import io.tokenbroker.token.Lease;
import io.tokenbroker.token.LockHolder;
import io.tokenbroker.token.StoreUnavailableException;
import io.tokenbroker.token.StoredRecord;
import io.tokenbroker.token.TokenRecord;
import io.tokenbroker.token.TokenStore;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The shared store: one Redis hash per client, a {@code SET NX PX} lock with a unique owner, writes
 * that are a compare-and-set in Lua, and a pub/sub channel that wakes replicas waiting for a new
 * record. A record is read with its time left by Redis' own clock, and verified by {@link RecordCodec};
 * every Redis failure becomes a {@link StoreUnavailableException}, except a key of the wrong type, which
 * reads as unreadable.
 */
public final class RedisTokenStore implements TokenStore, AutoCloseable {

    private static final Duration FENCE_COUNTER_TTL = Duration.ofDays(1);
    /** A healthy Redis answers in milliseconds; a silent link must not hold the periodic check for long. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    static final int READS_IN_FLIGHT = 64;

    private final RedisDataSource redis;
    private final RedisKeys keys;
    private final Duration lease;
    private final Clock clock;
    private final RecordCodec codec;
    private final RedisFailures failures;
    /** Names the lock holder for operators: host, process id, and a random part. */
    private final String replicaId = ReplicaId.create();
    private final AtomicLong leases = new AtomicLong();
    private final UpdateSignals signals = new UpdateSignals();
    private final LuaScript lockScript = LuaScript.load("lock");
    private final LuaScript releaseScript = LuaScript.load("release");
    private final LuaScript renewScript = LuaScript.load("renew");
    private final LuaScript writeScript = LuaScript.load("write");
    private final LuaScript readScript = LuaScript.load("read");
    private final LuaScript forcedScript = LuaScript.load("forced");
    private final LuaScript forgetScript = LuaScript.load("forced-forget");
    private final LuaScript callerBudgetScript = LuaScript.load("caller-budget");
    private final LuaScript giveBackScript = LuaScript.load("give-back");
    private final LuaScript helpedScript = LuaScript.load("forced-helped");
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final UpdatesSubscription updates;

    public RedisTokenStore(RedisDataSource redis, String keyPrefix, Duration lease, Clock clock, RecordCodec codec,
            Optional<String> hosts) {
        this.failures = new RedisFailures(hosts);
        this.redis = redis;
        this.codec = codec;
        this.keys = new RedisKeys(keyPrefix);
        this.lease = lease;
        this.clock = clock;
        this.updates = new UpdatesSubscription(redis.getReactive().getRedis(), keys.updatesChannel(), this::updated,
                clock);
    }

    /**
     * Starts listening for other replicas' new records, in the background; until Redis confirms,
     * and whenever the subscription is lost, waiters fall back to polling.
     */
    public void subscribe() {
        updates.ensureOpen();
    }

    private void updated(String client) {
        signals.signal(client);
        listeners.forEach(listener -> listener.accept(client));
    }

    @Override
    public void listen(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public StoredRecord read(String client) {
        Response reply = redis("read the record", () -> readScript.run(redis, List.of(keys.record(client)), List.of()));
        return decode(client, reply);
    }

    /**
     * Every client's record with all reads in flight at once (a window of {@value #READS_IN_FLIGHT} at a
     * time), so the periodic check takes a few round trips however many clients there are; the Redis
     * client pipelines them over its pool and routes each to its node on a Cluster. A key of another
     * type spoils only its own read.
     */
    @Override
    public Map<String, StoredRecord> readAll(Collection<String> clients) {
        Map<String, StoredRecord> all = new HashMap<>();
        List<String> names = List.copyOf(clients);
        for (int from = 0; from < names.size(); from += READS_IN_FLIGHT) {
            List<String> window = names.subList(from, Math.min(names.size(), from + READS_IN_FLIGHT));
            List<CompletableFuture<Response>> sent = window.stream()
                    .map(client -> readScript.runAsync(redis.getReactive(), List.of(keys.record(client)), List.of())
                            .subscribeAsCompletionStage())
                    .toList();
            for (int i = 0; i < window.size(); i++) {
                all.put(window.get(i), settle(window.get(i), sent.get(i)));
            }
        }
        return all;
    }

    private StoredRecord settle(String client, CompletableFuture<Response> reply) {
        try {
            return decode(client, reply.get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failures.unavailable("read the records", e);
        } catch (ExecutionException failed) {
            throw failures.unavailable("read the records", failed.getCause());
        } catch (TimeoutException e) {
            throw failures.unavailable("read the records", e);
        }
    }

    /** The reply of {@code read.lua}: the record's time left by Redis' clock, then its fields. */
    private StoredRecord decode(String client, Response reply) {
        long ttl = reply.get(0).toLong();
        if (ttl == -3) {
            return StoredRecord.unreadable("", "the key holds another type than a hash");
        }
        Map<String, String> fields = new HashMap<>();
        for (int i = 1; i + 1 < reply.size(); i += 2) {
            fields.put(reply.get(i).toString(), reply.get(i + 1).toString());
        }
        return codec.decode(client, fields, ttl);
    }

    @Override
    public Optional<Lease> tryLock(String client, long knownGeneration) {
        String owner = replicaId + ":" + leases.incrementAndGet();
        long floor = Math.min(Math.max(0, knownGeneration), RecordCodec.MAX_GENERATION - 1);
        Response fence = redis("take the lock", () -> lockScript.run(redis,
                List.of(keys.lock(client), keys.fence(client)),
                List.of(owner, Long.toString(lease.toMillis()), Long.toString(FENCE_COUNTER_TTL.toMillis()),
                        Long.toString(floor), Long.toString(RecordCodec.MAX_GENERATION))));
        long number = fence.toLong();
        return number == 0 ? Optional.empty() : Optional.of(new Lease(owner, number));
    }

    @Override
    public Optional<LockHolder> lockHolder(String client) {
        String key = keys.lock(client);
        Response owner;
        try {
            owner = redis.execute(Command.GET, key);
        } catch (RuntimeException e) {
            if (RedisReplies.isWrongType(e)) {
                return Optional.of(new LockHolder("(not a lock: the key holds another type)", null));
            }
            throw failures.unavailable("read the lock", e);
        }
        if (owner == null) {
            return Optional.empty();
        }
        long ttl = redis("read the lock's expiry", () -> redis.key().pttl(key));
        if (ttl == -2) {
            return Optional.empty(); // released between the two reads
        }
        return Optional.of(new LockHolder(owner.toString(), ttl < 0 ? null : Duration.ofMillis(ttl)));
    }

    @Override
    public boolean renew(String client, Lease held) {
        return redis("renew the lock", () -> renewScript.run(redis, List.of(keys.lock(client)),
                List.of(held.owner(), Long.toString(lease.toMillis())))).toLong() == 1;
    }

    @Override
    public ForcedRefreshClaim claimForcedRefresh(String client, long rejectedGeneration, long producedGeneration,
            ForcedRefreshLimits limits) {
        Response reply = redis("claim a forced refresh", () -> forcedScript.run(redis,
                List.of(keys.forcedRefresh(client), keys.forcedDamping(client), keys.forcedToday(client)),
                List.of(replicaId, Long.toString(Math.max(1, limits.floor().toMillis())),
                        Long.toString(Math.max(1, limits.longestFloor().toMillis())), Long.toString(rejectedGeneration),
                        Long.toString(producedGeneration), Integer.toString(limits.perDay()),
                        Long.toString(ForcedRefreshLimits.DAY.toMillis()))));
        boolean granted = reply.get(0).toLong() == 1;
        return new ForcedRefreshClaim(granted, Duration.ofMillis(reply.get(1).toLong()),
                (int) Math.max(0, reply.get(2).toLong()), !granted && reply.get(3).toLong() == 1);
    }

    @Override
    public void forgetForcedRefresh(String client) {
        redis("withdraw a forced refresh", () -> forgetScript.run(redis,
                List.of(keys.forcedRefresh(client), keys.forcedToday(client)), List.of()));
    }

    @Override
    public void forcedRefreshHelped(String client, Duration floor) {
        redis("reset the forced-refresh floor", () -> helpedScript.run(redis,
                List.of(keys.forcedRefresh(client), keys.forcedDamping(client)),
                List.of(Long.toString(Math.max(1, floor.toMillis())))));
    }

    @Override
    public boolean spendCallerRefresh(String caller, int max, Duration window) {
        return redis("spend a caller's forced refresh", () -> callerBudgetScript.run(redis,
                List.of(keys.callerForced(caller)), List.of(Integer.toString(max),
                        Long.toString(Math.max(1, window.toMillis()))))).get(0).toLong() == 1;
    }

    @Override
    public void giveBackCallerRefresh(String caller) {
        redis("give back a caller's forced refresh", () -> giveBackScript.run(redis, List.of(keys.callerForced(caller)),
                List.of()));
    }

    @Override
    public void release(String client, Lease held) {
        redis("release the lock", () -> releaseScript.run(redis, List.of(keys.lock(client)), List.of(held.owner())));
    }

    @Override
    public boolean write(String client, TokenRecord record, StoredRecord replacing) {
        long ttlMillis = record.remainingAt(clock.instant()).toMillis();
        if (ttlMillis <= 0) {
            return false;
        }
        List<String> args = new ArrayList<>(List.of(replacing.version(), Long.toString(ttlMillis),
                keys.updatesChannel(), client));
        args.addAll(codec.encode(client, record));
        return redis("write the record", () -> writeScript.run(redis, List.of(keys.record(client)), args))
                .toLong() == 1;
    }

    private <T> T redis(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw failures.unavailable(operation, e);
        }
    }

    /** Whether Redis answers at all: the periodic check's probe while no record is held. */
    @Override
    public void ping() {
        redis("answer PING", () -> redis.execute(Command.PING));
    }

    /**
     * Redis' {@code TIME} against this host's clock read before and after it, the round trip halved:
     * the error is at most half the round trip.
     */
    @Override
    public Optional<Duration> clockOffset() {
        long before = clock.millis();
        Response time = redis("read the server's time", () -> redis.execute(Command.TIME));
        long after = clock.millis();
        long serverMicros = time.get(0).toLong() * 1_000_000 + time.get(1).toLong();
        long localMicros = (before + after) * 500;
        return Optional.of(Duration.ofNanos((localMicros - serverMicros) * 1_000));
    }

    @Override
    public void awaitUpdate(String client, Duration max) throws InterruptedException {
        signals.await(client, max);
    }

    @Override
    public String describe() {
        return "Redis (shared by every replica), records " + (codec.sealing() ? "sealed (AES-256-GCM)" : "in the clear");
    }

    /**
     * Subscribes afresh when the subscription ended, failed or went unconfirmed (a Redis restart, a
     * start without Redis); never waits for Redis.
     */
    @Override
    public void heal() {
        updates.ensureOpen();
    }

    @Override
    public void close() {
        updates.close();
    }
}
