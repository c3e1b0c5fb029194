package io.tokenbroker.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.ConfigurationCheck;
import io.tokenbroker.config.StoreKind;
import io.tokenbroker.token.TokenStore;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Chooses where tokens are kept ({@code broker.store}). Outside dev mode the broker never falls back
 * to memory silently: without Redis it refuses to start.
 */
@Singleton
class TokenStoreProducer {

    private static final Logger LOG = Logger.getLogger(TokenStoreProducer.class);

    @Produces
    @Singleton
    @Startup
    TokenStore tokenStore(BrokerConfig config, ConfigurationCheck check, Instance<RedisDataSource> redis, Clock clock,
            @ConfigProperty(name = "quarkus.redis.hosts") Optional<String> redisHosts) {
        check.verify();
        StoreKind kind = StoreKind.chosen(config, redisHosts.isPresent(), LaunchMode.current());
        TokenStore store = switch (kind) {
            case MEMORY -> new InMemoryTokenStore(config.lock().lease(), clock);
            case REDIS -> redisStore(config, redis.get(), clock, redisHosts);
        };
        LOG.infof("Tokens are kept in %s", store.describe());
        return store;
    }

    /** Unsubscribes while the Redis client is still open, so its shutdown is not reported as a loss. */
    void unsubscribe(@Observes ShutdownEvent shutdown, TokenStore store) {
        close(store);
    }

    void close(@Disposes TokenStore store) {
        if (store instanceof RedisTokenStore redisStore) {
            redisStore.close();
        }
    }

    private static RedisTokenStore redisStore(BrokerConfig config, RedisDataSource redis, Clock clock,
            Optional<String> hosts) {
        RecordCodec codec = RecordCodec.from(config, clock);
        RedisTokenStore store = new RedisTokenStore(redis, config.store().keyPrefix(), config.lock().lease(), clock,
                codec, hosts);
        store.subscribe();
        return store;
    }
}
