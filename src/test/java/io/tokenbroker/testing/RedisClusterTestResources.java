package io.tokenbroker.testing;

import java.util.Map;

/** Like {@link BrokerTestResources}, but the broker talks to a three-master Redis Cluster. */
public class RedisClusterTestResources extends BrokerTestResources {

    @Override
    protected AutoCloseable startRedis(Map<String, String> config) {
        RedisClusterProcesses cluster = new RedisClusterProcesses();
        config.put("quarkus.redis.hosts", cluster.hosts());
        config.put("quarkus.redis.client-type", "cluster");
        config.put("quarkus.redis.password", RedisServerProcess.PASSWORD);
        return cluster;
    }
}
