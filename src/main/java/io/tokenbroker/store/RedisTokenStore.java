package io.tokenbroker.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import io.vertx.mutiny.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The shared store: one Redis hash per client, a {@code SET NX PX} lock with a unique owner, writes
 * fenced by generation in Lua, and a pub/sub channel that wakes replicas waiting for a new record.
 */
public final class RedisTokenStore implements TokenStore, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisTokenStore.class);
    private static final Duration FENCE_COUNTER_TTL = Duration.ofDays(1);

    private final RedisDataSource redis;
    private final HashCommands<String, String, String> hashes;
    private final RedisKeys keys;
    private final Duration lease;
    private final Clock clock;
    private final String replicaId = UUID.randomUUID().toString();
    private final AtomicLong leases = new AtomicLong();
    private final UpdateSignals signals = new UpdateSignals();
    private final LuaScript lockScript = LuaScript.load("lock");
    private final LuaScript releaseScript = LuaScript.load("release");
    private final LuaScript writeScript = LuaScript.load("write");
    private volatile PubSubCommands.RedisSubscriber subscriber;

    public RedisTokenStore(RedisDataSource redis, String keyPrefix, Duration lease, Clock clock) {
        this.redis = redis;
        this.hashes = redis.hash(String.class, String.class, String.class);
        this.keys = new RedisKeys(keyPrefix);
        this.lease = lease;
        this.clock = clock;
    }

    /** Listens for other replicas' new records; without it, waiters fall back to polling. */
    public void subscribe() {
        try {
            subscriber = redis.pubsub(String.class).subscribe(keys.updatesChannel(), signals::signal);
        } catch (RuntimeException e) {
            LOG.warnf("Could not subscribe to %s (%s); waiting replicas will poll", keys.updatesChannel(),
                    e.getClass().getSimpleName());
        }
    }

    @Override
    public Optional<TokenRecord> read(String client) {
        Map<String, String> fields = hashes.hgetall(keys.record(client));
        if (fields == null || !fields.containsKey("token")) {
            return Optional.empty();
        }
        return Optional.of(new TokenRecord(
                fields.get("token"),
                Instant.ofEpochMilli(Long.parseLong(fields.get("acquired-at"))),
                Instant.ofEpochMilli(Long.parseLong(fields.get("expires-at"))),
                Long.parseLong(fields.get("generation"))));
    }

    @Override
    public Optional<Lease> tryLock(String client) {
        String owner = replicaId + ":" + leases.incrementAndGet();
        Response fence = lockScript.run(redis, List.of(keys.lock(client), keys.fence(client)),
                List.of(owner, Long.toString(lease.toMillis()), Long.toString(FENCE_COUNTER_TTL.toMillis())));
        long number = fence.toLong();
        return number == 0 ? Optional.empty() : Optional.of(new Lease(owner, number));
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
                record.token(),
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
        return "Redis (shared by every replica)";
    }

    @Override
    public void close() {
        PubSubCommands.RedisSubscriber current = subscriber;
        if (current != null) {
            try {
                current.unsubscribe();
            } catch (RuntimeException alreadyClosed) {
                // At shutdown the connection may be gone first; the subscription went with it.
            }
        }
    }
}
