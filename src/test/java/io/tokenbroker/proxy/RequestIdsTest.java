package io.tokenbroker.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    @Test
    void idsAreUniqueAcrossThreadsAndRandomVersionFourUuids() {
        RequestIds ids = new RequestIds();
        Set<String> seen = ConcurrentHashMap.newKeySet();

        IntStream.range(0, 100_000).parallel().forEach(i -> seen.add(ids.next()));

        assertThat(seen).hasSize(100_000);
        assertThat(seen).allSatisfy(id -> {
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.toString()).isEqualTo(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
        });
    }

    @Test
    void consecutiveIdsShareNoPrefixAndNoCounterShows() {
        RequestIds ids = new RequestIds();
        List<String> run = IntStream.range(0, 1000).mapToObj(i -> ids.next()).toList();

        // A fixed prefix plus a counter would share the first 18 characters; random ids share about none.
        long sharingEightHexDigits = IntStream.range(1, run.size())
                .filter(i -> run.get(i).regionMatches(0, run.get(i - 1), 0, 8)).count();
        assertThat(sharingEightHexDigits).isZero();
        // Every hex position but the version and variant varies across the run.
        for (int position = 0; position < 36; position++) {
            if (position == 8 || position == 13 || position == 14 || position == 18 || position == 19 || position == 23) {
                continue;
            }
            int at = position;
            assertThat(run.stream().map(id -> id.charAt(at)).distinct().count()).as("position %d", at)
                    .isGreaterThan(8);
        }
    }

    @Test
    void replicasNeverShareAnId() {
        RequestIds first = new RequestIds();
        RequestIds second = new RequestIds();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(first.next());
            seen.add(second.next());
        }
        assertThat(seen).hasSize(2000);
    }
}
