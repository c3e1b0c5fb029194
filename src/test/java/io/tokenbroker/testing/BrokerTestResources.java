package io.tokenbroker.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts what a broker under test talks to: a real Redis server and the platform stand-in, both on
 * free ports. Tests receive the stand-in in fields annotated {@link InjectPlatform}.
 */
public class BrokerTestResources implements QuarkusTestResourceLifecycleManager {

    private RedisServerProcess redis;
    private PlatformStandIn platform;

    @Override
    public Map<String, String> start() {
        redis = RedisServerProcess.launch();
        platform = PlatformStandIn.start();
        TestAccounts.register(platform);
        return TestAccounts.brokerConfig(platform, redis.uri());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(platform,
                new TestInjector.AnnotatedAndMatchesType(InjectPlatform.class, PlatformStandIn.class));
    }

    @Override
    public void stop() {
        if (platform != null) {
            platform.close();
        }
        if (redis != null) {
            redis.close();
        }
    }
}
