package io.tokenbroker.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/** Like {@link BrokerTestResources}, but the broker talks to a three-master Redis Cluster. */
public class RedisClusterTestResources implements QuarkusTestResourceLifecycleManager {

    private RedisClusterProcesses cluster;
    private PlatformStandIn platform;

    @Override
    public Map<String, String> start() {
        cluster = new RedisClusterProcesses();
        platform = PlatformStandIn.start();
        TestAccounts.register(platform);
        Map<String, String> config = new HashMap<>(TestAccounts.brokerConfig(platform, cluster.hosts()));
        config.put("quarkus.redis.client-type", "cluster");
        return config;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(platform,
                new TestInjector.AnnotatedAndMatchesType(InjectPlatform.class, PlatformStandIn.class));
    }

    @Override
    public void stop() {
        platform.close();
        cluster.close();
    }
}
