package io.tokenbroker.testing;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.tokenbroker.config.BrokerConfig;
import java.time.Duration;
import java.util.Map;

/** The broker's typed configuration from plain properties, for tests that run without Quarkus. */
public final class BrokerConfigs {

    private BrokerConfigs() {
    }

    /** {@code properties} read as Quarkus would (durations such as {@code 30s} and sizes such as {@code 1M} included). */
    public static BrokerConfig of(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withMapping(BrokerConfig.class)
                .build();
        return config.getConfigMapping(BrokerConfig.class);
    }
}
