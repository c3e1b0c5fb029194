package io.tokenbroker.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenbroker.testing.BrokerConfigs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BufferedBodiesTest {

    private final BufferedBodies bodies = new BufferedBodies(BrokerConfigs.of(Map.of(
            "broker.clients.default.base-url", "https://platform.example",
            "broker.clients.default.client-id", "app",
            "broker.clients.default.secret", "s3cret",
            "broker.proxy.max-body-size", "1K",
            "broker.proxy.max-buffered-bodies", "4K")));

    @Test
    void bodiesBeyondTheReplicasRoomAreRefusedAndRoomGivenBackIsTakenAgain() {
        assertThat(bodies.reserve(3 * 1024)).isTrue();
        assertThat(bodies.reserve(1024)).isTrue();
        assertThat(bodies.reserve(1)).as("a byte beyond 4 KiB").isFalse();
        assertThat(bodies.held()).isEqualTo(4 * 1024);

        bodies.release(1024);

        assertThat(bodies.reserve(1024)).isTrue();
    }
}
