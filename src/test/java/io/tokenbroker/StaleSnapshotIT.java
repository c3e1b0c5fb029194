package io.tokenbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokenbroker.testing.BrokerReplica;
import io.tokenbroker.testing.ReplicaSet;
import io.tokenbroker.testing.TestAccounts;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Redis restored from a snapshot older than the current token: the replicas that hold the newer token
 * write it back, and a replica started after the restore ends up serving it too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StaleSnapshotIT {

    private static final String RECORD = "token-broker:{default}:token";

    private ReplicaSet set;

    @BeforeAll
    void start() {
        set = new ReplicaSet(2, Map.of("broker.token.check-interval", "200ms"));
    }

    @AfterAll
    void stop() {
        set.close();
    }

    @Test
    void oldAndNewReplicasServeTheNewerValidTokenAfterARestoreFromAnOlderSnapshot() {
        String older = set.tokenFrom(set.replica(0), "default");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> set.redis.call("HGET", RECORD, "token"), older::equals);
        Map<String, String> snapshotted = storedRecord();
        Path snapshot = set.redis.snapshot();
        HttpResponse<String> refreshed = set.send(set.refreshRequest(set.replica(1), "default", older));
        assertThat(refreshed.statusCode()).isEqualTo(200);
        String newer = ReplicaSet.token(refreshed.body());
        await().atMost(Duration.ofSeconds(5)).until(() -> set.tokenFrom(set.replica(0), "default").equals(newer));
        assertThat(storedRecord()).as("the record before the restore").containsEntry("token", newer);
        int calls = set.platform.calls(TestAccounts.clientId("default"));

        assertThat(restartWithTheReplicasPaused(snapshot)).as("the record Redis came back with")
                .isEqualTo(snapshotted);
        BrokerReplica late = set.startReplica();

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(set.redis.call("HGET", RECORD, "token")).isEqualTo(newer);
            for (BrokerReplica replica : set.replicas) {
                assertThat(set.tokenFrom(replica, "default")).isEqualTo(newer);
            }
        });
        assertThat(set.platform.isValid(newer)).isTrue();
        assertThat(set.platform.isValid(older)).isFalse();
        assertThat(set.platform.calls(TestAccounts.clientId("default"))).isEqualTo(calls);
        assertThat(late.output()).doesNotContain(older).doesNotContain(newer);
    }

    /**
     * Restarts Redis from {@code snapshot} while every replica is paused, and returns the record Redis
     * came back with: read before any replica could write the newer one back.
     */
    private Map<String, String> restartWithTheReplicasPaused(Path snapshot) {
        set.replicas.forEach(BrokerReplica::pause);
        try {
            set.redis.restartFrom(snapshot);
            return storedRecord();
        } finally {
            set.replicas.forEach(BrokerReplica::resume);
        }
    }

    /** The fields of the {@code default} record as Redis holds them now; empty if there is none. */
    private Map<String, String> storedRecord() {
        List<String> fieldsAndValues = set.redis.callForList("HGETALL", RECORD);
        Map<String, String> record = new HashMap<>();
        for (int i = 0; i + 1 < fieldsAndValues.size(); i += 2) {
            record.put(fieldsAndValues.get(i), fieldsAndValues.get(i + 1));
        }
        return record;
    }
}
