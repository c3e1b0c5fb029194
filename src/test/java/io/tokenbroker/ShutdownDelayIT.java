package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.ReplicaSet;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM as Kubernetes sends it: for {@code quarkus.shutdown.delay} the replica reports itself not
 * ready while it still serves tokens, so the Service stops sending it callers before its listener closes.
 */
class ShutdownDelayIT {

    private static final Duration DELAY = Duration.ofSeconds(3);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readinessGoesDownFirstWhileTokensAreStillServedThenTheProcessEnds() throws Exception {
        try (ReplicaSet set = new ReplicaSet(0, Map.of())) {
            BrokerReplica replica = set.startReplica(Map.of("quarkus.shutdown.delay", DELAY.toSeconds() + "s"));
            String token = set.tokenFrom(replica, "default");
            assertThat(status(replica, "/q/health/ready")).isEqualTo(200);

            Instant terminated = Instant.now();
            replica.terminate();

            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> status(replica, "/q/health/ready") == 503);
            assertThat(set.tokenFrom(replica, "default")).as("still served while not ready").isEqualTo(token);
            assertThat(replica.isAlive()).isTrue();
            await().atMost(DELAY.plusSeconds(15)).until(() -> !replica.isAlive());
            assertThat(Duration.between(terminated, Instant.now())).isGreaterThanOrEqualTo(DELAY);
        }
    }

    private int status(BrokerReplica replica, String path) {
        try {
            return http.send(HttpRequest.newBuilder(replica.managementUri(path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException closed) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
