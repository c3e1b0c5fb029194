package io.tokenbroker.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A local Redis Cluster of three masters, built by hand (slots split three ways, nodes introduced
 * with {@code CLUSTER MEET}) so that no {@code redis-cli} is needed.
 */
public final class RedisClusterProcesses implements AutoCloseable {

    private static final int SLOTS = 16384;

    private final List<RedisServerProcess> nodes = new ArrayList<>();

    public RedisClusterProcesses() {
        for (int i = 0; i < 3; i++) {
            nodes.add(RedisServerProcess.launch("--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"));
        }
        int perNode = SLOTS / nodes.size();
        for (int i = 0; i < nodes.size(); i++) {
            int from = i * perNode;
            int to = i == nodes.size() - 1 ? SLOTS - 1 : from + perNode - 1;
            List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
            IntStream.rangeClosed(from, to).forEach(slot -> command.add(Integer.toString(slot)));
            nodes.get(i).call(command.toArray(String[]::new));
        }
        for (RedisServerProcess node : nodes.subList(1, nodes.size())) {
            nodes.get(0).call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(node.port()));
        }
        awaitClusterOk();
    }

    /** The {@code quarkus.redis.hosts} value: every node. */
    public String hosts() {
        return nodes.stream().map(RedisServerProcess::uri).collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        nodes.forEach(RedisServerProcess::close);
    }

    private void awaitClusterOk() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (nodes.stream().allMatch(node -> node.call("CLUSTER", "INFO").startsWith("cluster_state:ok"))) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("the Redis Cluster did not reach cluster_state:ok");
    }
}
