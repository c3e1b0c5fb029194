package io.tokenbroker.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Redis master with one replica, watched by three Sentinels ({@code redis-server --sentinel}, quorum
 * 2), all on free ports of 127.0.0.1 and all requiring {@link RedisServerProcess#PASSWORD}. The
 * Sentinels call a silent master down after {@link #DOWN_AFTER}, so a failover takes a few seconds,
 * not the production half minute.
 */
public final class RedisSentinelProcesses implements AutoCloseable {

    /** The name the Sentinels know the master by ({@code quarkus.redis.master-name}). */
    public static final String MASTER_NAME = "mymaster";
    private static final Duration DOWN_AFTER = Duration.ofSeconds(1);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(100);

    /** The first master, then its replica; a killed one stays here, stopped. */
    private final List<RedisServerProcess> servers = new ArrayList<>();
    private final List<RedisServerProcess> sentinels = new ArrayList<>();

    public RedisSentinelProcesses() {
        // Each server may be a replica some day, so each knows the password of a master.
        RedisServerProcess master = RedisServerProcess.launch("--masterauth", RedisServerProcess.PASSWORD);
        servers.add(master);
        servers.add(RedisServerProcess.launch("--masterauth", RedisServerProcess.PASSWORD,
                "--replicaof", "127.0.0.1", Integer.toString(master.port())));
        for (int i = 0; i < 3; i++) {
            sentinels.add(RedisServerProcess.launchSentinel(List.of(
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
                    "sentinel auth-pass " + MASTER_NAME + " " + RedisServerProcess.PASSWORD,
                    "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER.toMillis(),
                    "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT.toMillis())));
        }
        try {
            awaitReadyForFailover();
        } catch (RuntimeException | Error notReady) {
            close(); // no Redis process outlives a set that never became ready
            throw notReady;
        }
    }

    /** The {@code quarkus.redis.hosts} value: every Sentinel. */
    public String sentinelHosts() {
        return sentinels.stream().map(RedisServerProcess::uri).collect(Collectors.joining(","));
    }

    /** The server the Sentinels name as master now. */
    public RedisServerProcess master() {
        int port = masterPortNamedBy(sentinels.get(0));
        return servers.stream().filter(server -> server.port() == port).findFirst()
                .orElseThrow(() -> new AssertionError("the Sentinels name an unknown master on port " + port));
    }

    /** Kills the current master ({@code kill -9}) and returns it. */
    public RedisServerProcess killMaster() {
        RedisServerProcess master = master();
        master.kill();
        return master;
    }

    /**
     * Waits until every Sentinel names another master than {@code lost} and that server says it is a
     * master; returns it.
     */
    public RedisServerProcess awaitFailoverFrom(RedisServerProcess lost, Duration atMost) {
        await("failover from port " + lost.port()).atMost(atMost).pollInterval(POLL).until(() ->
                sentinels.stream().allMatch(sentinel -> masterPortNamedBy(sentinel) != lost.port()));
        RedisServerProcess promoted = master();
        await("promoted server acts as master").atMost(atMost).pollInterval(POLL)
                .until(() -> promoted.callForList("ROLE").get(0), "master"::equals);
        return promoted;
    }

    /**
     * Starts the killed server again as it was first configured (a master of nothing); the Sentinels
     * turn it into a replica of the current master. Returns it once it is in sync.
     */
    public RedisServerProcess restartLostServer() throws java.io.IOException {
        int masterPort = master().port();
        RedisServerProcess lost = servers.stream().filter(server -> server.port() != masterPort).findFirst()
                .orElseThrow();
        lost.start();
        await("returned server made a replica in sync").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> {
                    List<String> role = lost.callForList("ROLE");
                    return role.get(0).equals("slave") && role.get(3).equals("connected");
                });
        await("Sentinels see the replica").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> sentinels.stream().allMatch(sentinel -> "1".equals(field(
                        sentinel.callForList("SENTINEL", "MASTER", MASTER_NAME), "num-slaves"))));
        return lost;
    }

    /**
     * Asks the Sentinels to promote {@code replica} ({@code SENTINEL FAILOVER}, the operator's switch):
     * the current master lives on as a replica. Returns the new master once it acts as one.
     */
    public RedisServerProcess switchOver(RedisServerProcess replica, Duration atMost) {
        RedisServerProcess current = master();
        await("SENTINEL FAILOVER accepted").atMost(atMost).pollInterval(POLL)
                .until(() -> sentinels.get(0).call("SENTINEL", "FAILOVER", MASTER_NAME), "+OK"::equals);
        RedisServerProcess promoted = awaitFailoverFrom(current, atMost);
        if (promoted != replica) {
            throw new AssertionError("the Sentinels promoted port " + promoted.port() + ", not " + replica.port());
        }
        return promoted;
    }

    @Override
    public void close() {
        sentinels.forEach(RedisServerProcess::close);
        servers.forEach(RedisServerProcess::close);
    }

    private static int masterPortNamedBy(RedisServerProcess sentinel) {
        return Integer.parseInt(sentinel.callForList("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).get(1));
    }

    /**
     * A failover needs the replica in sync and every Sentinel aware of the replica and of the two
     * other Sentinels (learnt through the master's hello channel, every two seconds).
     */
    private void awaitReadyForFailover() {
        await("replica in sync").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> servers.get(1).callForList("ROLE").get(3), "connected"::equals);
        await("Sentinels aware of the replica and of each other").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> sentinels.stream().allMatch(sentinel -> {
                    List<String> master = sentinel.callForList("SENTINEL", "MASTER", MASTER_NAME);
                    return "1".equals(field(master, "num-slaves")) && "2".equals(field(master, "num-other-sentinels"));
                }));
    }

    private static String field(List<String> flatPairs, String name) {
        int at = flatPairs.indexOf(name);
        return at < 0 ? null : flatPairs.get(at + 1);
    }
}
