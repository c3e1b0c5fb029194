package io.tokenbroker.store;

import io.tokenbroker.token.Lease;
import io.tokenbroker.token.TokenRecord;
import io.tokenbroker.token.TokenStore;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared store: one Redis hash per client, a {@code SET NX PX} lock with a unique owner, writes
 * fenced by generation in Lua, and a pub/sub channel that wakes replicas waiting for a new record.
 */
public final class RedisTokenStore implements TokenStore, AutoCloseable {

    private static final Duration FENCE_COUNTER_TTL = Duration.ofDays(1);

    private final RedisDataSource redis;
    private final HashCommands<String, String, String> hashes;
    private final RedisKeys keys;
    private final Duration lease;
    private final Clock clock;
    private final Optional<TokenCipher> cipher;
    /** Names the lock holder for operators: host, process id, and a random part. */
    private final String replicaId = ReplicaId.create();
    private final AtomicLong leases = new AtomicLong();
    private final UpdateSignals signals = new UpdateSignals();
    private final LuaScript lockScript = LuaScript.load("lock");
    private final LuaScript releaseScript = LuaScript.load("release");
    private final LuaScript renewScript = LuaScript.load("renew");
    private final LuaScript writeScript = LuaScript.load("write");
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final UpdatesSubscription updates;

    public RedisTokenStore(RedisDataSource redis, String keyPrefix, Duration lease, Clock clock,
            Optional<TokenCipher> cipher) {
        this.redis = redis;
        this.cipher = cipher;
        this.hashes = redis.hash(String.class, String.class, String.class);
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
    public Optional<TokenRecord> read(String client) {
        Map<String, String> fields = hashes.hgetall(keys.record(client));
        if (fields == null || !fields.containsKey("token")) {
            return Optional.empty();
        }
        String stored = fields.get("token");
        return Optional.of(new TokenRecord(
                cipher.map(c -> c.open(client, stored)).orElse(stored),
                Instant.ofEpochMilli(Long.parseLong(fields.get("acquired-at"))),
                Instant.ofEpochMilli(Long.parseLong(fields.get("expires-at"))),
                Long.parseLong(fields.get("generation"))));
    }

    @Override
    public Optional<Lease> tryLock(String client, long knownGeneration) {
        String owner = replicaId + ":" + leases.incrementAndGet();
        Response fence = lockScript.run(redis, List.of(keys.lock(client), keys.fence(client), keys.record(client)),
                List.of(owner, Long.toString(lease.toMillis()), Long.toString(FENCE_COUNTER_TTL.toMillis()),
                        Long.toString(knownGeneration)));
        long number = fence.toLong();
        return number == 0 ? Optional.empty() : Optional.of(new Lease(owner, number));
    }

    @Override
    public boolean renew(String client, Lease held) {
        return renewScript.run(redis, List.of(keys.lock(client)),
                List.of(held.owner(), Long.toString(lease.toMillis()))).toLong() == 1;
    }

    @Override
    public boolean claimForcedRefresh(String client, Duration interval) {
        Response set = redis.execute(Command.SET, keys.forcedRefresh(client), replicaId,
                "NX", "PX", Long.toString(Math.max(1, interval.toMillis())));
        return set != null && "OK".equals(set.toString());
    }

    @Override
    public void forgetForcedRefresh(String client) {
        redis.key().del(keys.forcedRefresh(client));
    }

    @Override
    public void release(String client, Lease held) {
        releaseScript.run(redis, List.of(keys.lock(client)), List.of(held.owner()));
    }

    @Override
    public boolean write(String client, TokenRecord record) {
        long ttlMillis = record.remainingAt(clock.instant()).toMillis();
        if (ttlMillis <= 0) {
            return false;
        }
        Response stored = writeScript.run(redis, List.of(keys.record(client)), List.of(
                Long.toString(record.generation()),
                cipher.map(c -> c.seal(client, record.token())).orElse(record.token()),
                Long.toString(record.acquiredAt().toEpochMilli()),
                Long.toString(record.expiresAt().toEpochMilli()),
                Long.toString(ttlMillis),
                keys.updatesChannel(),
                client));
        return stored.toLong() == 1;
    }

    @Override
    public void awaitUpdate(String client, Duration max) throws InterruptedException {
        signals.await(client, max);
    }

    @Override
    public String describe() {
        return "Redis (shared by every replica), tokens " + (cipher.isPresent() ? "encrypted (AES-256-GCM)" : "in the clear");
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
