package io.tokenbroker.testing;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Redis, the platform stand-in, and several packaged broker replicas sharing them: the
 * set-up of the multi-replica integration tests.
 */
public final class ReplicaSet implements AutoCloseable {

    private static final Pattern TOKEN = Pattern.compile("\"accessToken\":\"([^\"]+)\"");

    /** The Redis the set started, or {@code null} on a Redis of the caller's ({@link #onRedis}). */
    public final RedisServerProcess redis;
    public final PlatformStandIn platform;
    public final List<BrokerReplica> replicas = new ArrayList<>();
    private final Map<String, String> config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Starts {@code count} replicas configured with the test accounts plus {@code overrides}. */
    public ReplicaSet(int count, Map<String, String> overrides) {
        this(Optional.empty(), count, overrides, false);
    }

    /**
     * Starts {@code count} replicas with the platform and lock timing an operator gets without setting
     * anything (the test accounts otherwise shorten it), for scenarios that must hold with the defaults.
     */
    public static ReplicaSet withDefaultTiming(int count, Map<String, String> overrides) {
        return new ReplicaSet(Optional.empty(), count, overrides, true);
    }

    /**
     * Starts {@code count} replicas on a Redis the caller runs and closes, reached with these
     * {@code quarkus.redis.*} properties (a Sentinel set, for one).
     */
    public static ReplicaSet onRedis(Map<String, String> redisConfig, int count, Map<String, String> overrides) {
        return new ReplicaSet(Optional.of(redisConfig), count, overrides, false);
    }

    private ReplicaSet(Optional<Map<String, String>> callersRedis, int count, Map<String, String> overrides,
            boolean defaultTiming) {
        redis = callersRedis.isEmpty() ? RedisServerProcess.launch() : null;
        platform = PlatformStandIn.start();
        TestAccounts.register(platform);
        config = new HashMap<>(TestAccounts.brokerConfig(platform));
        if (defaultTiming) {
            config.keySet().removeIf(name -> name.startsWith("broker.platform.") || name.startsWith("broker.lock."));
        }
        config.putAll(callersRedis.orElseGet(() -> Map.of("quarkus.redis.hosts", redis.uri(),
                "quarkus.redis.password", RedisServerProcess.PASSWORD)));
        config.put("quarkus.log.category.\"io.tokenbroker\".level", "DEBUG");
        config.putAll(overrides);
        for (int i = 0; i < count; i++) {
            startReplica();
        }
    }

    /** Starts one more replica with the same configuration. */
    public BrokerReplica startReplica() {
        return startReplica(List.of());
    }

    /** Starts one more replica with the same configuration but for {@code overrides}. */
    public BrokerReplica startReplica(Map<String, String> overrides) {
        Map<String, String> own = new HashMap<>(config);
        own.putAll(overrides);
        BrokerReplica replica = BrokerReplica.start(own, List.of());
        replicas.add(replica);
        return replica;
    }

    /** Starts one more replica with the same configuration but for {@code overrides}, waiting only until it is live. */
    public BrokerReplica startLiveReplica(Map<String, String> overrides) {
        Map<String, String> own = new HashMap<>(config);
        own.putAll(overrides);
        BrokerReplica replica = BrokerReplica.startLive(own);
        replicas.add(replica);
        return replica;
    }

    /**
     * Starts one more replica with the same configuration whose wall clock runs {@code offset} ahead of
     * the others' (negative: behind), by libfaketime; its monotonic clock is left alone.
     */
    public BrokerReplica startReplicaWithClock(Duration offset) {
        BrokerReplica replica = BrokerReplica.start(config, List.of(), ShiftedClock.environment(offset));
        replicas.add(replica);
        return replica;
    }

    /** Starts one more replica with the same configuration whose wall clock steps as {@code clockFile} says. */
    public BrokerReplica startReplicaWithSteppableClock(java.nio.file.Path clockFile) {
        BrokerReplica replica = BrokerReplica.start(config, List.of(), ShiftedClock.steppable(clockFile));
        replicas.add(replica);
        return replica;
    }

    /** The replica holding the client's refresh lock now (its owner value names the process). */
    public BrokerReplica lockHolder(String client) {
        String owner = redis.call("GET", "token-broker:{" + client + "}:lock");
        if (owner == null) {
            throw new AssertionError("nobody holds the lock of " + client);
        }
        long pid = Long.parseLong(owner.split("/")[1]);
        return replicas.stream().filter(r -> r.pid() == pid).findFirst().orElseThrow();
    }

    /** Starts one more replica with the same configuration and these extra JVM options. */
    public BrokerReplica startReplica(List<String> jvmOptions) {
        BrokerReplica replica = BrokerReplica.start(config, jvmOptions);
        replicas.add(replica);
        return replica;
    }

    public BrokerReplica replica(int index) {
        return replicas.get(index % replicas.size());
    }

    /** {@code GET /token?client=CLIENT} as caller alice. */
    public HttpRequest tokenRequest(BrokerReplica replica, String client) {
        return HttpRequest.newBuilder(replica.uri("/token?client=" + client))
                .header("Authorization", "Bearer " + TestAccounts.ALICE_KEY)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    /** {@code POST /token/refresh?client=CLIENT} reporting {@code rejected}, as caller alice. */
    public HttpRequest refreshRequest(BrokerReplica replica, String client, String rejected) {
        return HttpRequest.newBuilder(replica.uri("/token/refresh?client=" + client))
                .header("Authorization", "Bearer " + TestAccounts.ALICE_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"rejectedToken\":\"" + rejected + "\"}"))
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    public HttpClient http() {
        return http;
    }

    /** Sends {@code request} and returns the answer (IO failures as unchecked). */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The token {@code replica} serves for {@code client} now (the answer must be 200). */
    public String tokenFrom(BrokerReplica replica, String client) {
        HttpResponse<String> response = send(tokenRequest(replica, client));
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /token?client=" + client + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return token(response.body());
    }

    /** Sends every request at once and returns the answers in order. */
    public List<HttpResponse<String>> sendAll(List<HttpRequest> requests) {
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = requests.stream()
                .map(request -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString())).toList();
        return sent.stream().map(java.util.concurrent.CompletableFuture::join).toList();
    }

    /** The access token in a JSON answer, or {@code null}. */
    public static String token(String body) {
        Matcher matcher = TOKEN.matcher(body);
        return matcher.find() ? matcher.group(1) : null;
    }

    /** Everything every replica printed. */
    public String logs() {
        StringBuilder all = new StringBuilder();
        replicas.forEach(replica -> all.append(replica.output()).append('\n'));
        return all.toString();
    }

    @Override
    public void close() {
        replicas.forEach(BrokerReplica::close);
        platform.close();
        if (redis != null) {
            redis.close();
        }
    }
}
