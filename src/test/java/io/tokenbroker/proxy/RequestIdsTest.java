package io.tokenbroker.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    @Test
    void idsAreUniqueAcrossThreadsAndShapedAsUuids() {
        RequestIds ids = new RequestIds();
        Set<String> seen = ConcurrentHashMap.newKeySet();

        IntStream.range(0, 100_000).parallel().forEach(i -> seen.add(ids.next()));

        assertThat(seen).hasSize(100_000);
        assertThat(seen).allSatisfy(id -> assertThat(UUID.fromString(id).toString()).isEqualTo(id));
    }

    @Test
    void replicasDrawingDifferentNumbersNeverShareAnId() {
        RequestIds first = new RequestIds(1);
        RequestIds second = new RequestIds(2);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(first.next());
            seen.add(second.next());
        }
        assertThat(seen).hasSize(2000);
    }
}
