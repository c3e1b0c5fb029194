package io.tokenbroker.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts what a broker under test talks to: a real Redis server, the platform stand-in and a
 * service-account issuer, all on free ports. Tests receive the stand-ins in fields annotated
 * {@link InjectPlatform} and {@link InjectServiceAccountIssuer}.
 *
 * <p>The stand-ins speak plain HTTP, which tests accept anyway. A packaged broker started in production
 * mode ({@code @QuarkusIntegrationTest}) refuses it unless given the init argument
 * {@value #ALLOW_INSECURE_URLS}{@code =true}, passed on as {@code broker.allow-insecure-urls}.
 */
public class BrokerTestResources implements QuarkusTestResourceLifecycleManager {

    /** Init argument: whether the broker may reach the stand-ins over plain HTTP in production mode. */
    public static final String ALLOW_INSECURE_URLS = "allow-insecure-urls";

    private AutoCloseable redis;
    private boolean allowInsecureUrls;
    private PlatformStandIn platform;
    private ServiceAccountIssuer issuer;

    @Override
    public void init(Map<String, String> initArgs) {
        allowInsecureUrls = Boolean.parseBoolean(initArgs.get(ALLOW_INSECURE_URLS));
    }

    @Override
    public Map<String, String> start() {
        platform = PlatformStandIn.start();
        TestAccounts.register(platform);
        issuer = ServiceAccountIssuer.start();
        Map<String, String> config = new HashMap<>(TestAccounts.brokerConfig(platform));
        config.putAll(TestAccounts.workloadIdentityConfig(issuer));
        if (allowInsecureUrls) {
            config.put("broker.allow-insecure-urls", "true");
            // The packaged application runs in production mode, where the management port is 9000.
            config.put("quarkus.management.port", Integer.toString(RedisServerProcess.freePort()));
        }
        redis = startRedis(config);
        return config;
    }

    /** Starts the Redis the broker uses and puts its {@code quarkus.redis.*} settings in {@code config}. */
    protected AutoCloseable startRedis(Map<String, String> config) {
        RedisServerProcess server = RedisServerProcess.launch();
        config.put("quarkus.redis.hosts", server.uri());
        config.put("quarkus.redis.password", RedisServerProcess.PASSWORD);
        return server;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(platform,
                new TestInjector.AnnotatedAndMatchesType(InjectPlatform.class, PlatformStandIn.class));
        injector.injectIntoFields(issuer,
                new TestInjector.AnnotatedAndMatchesType(InjectServiceAccountIssuer.class, ServiceAccountIssuer.class));
    }

    @Override
    public void stop() {
        if (platform != null) {
            platform.close();
        }
        if (issuer != null) {
            issuer.close();
        }
        if (redis != null) {
            try {
                redis.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
