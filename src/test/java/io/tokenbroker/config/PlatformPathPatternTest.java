package io.tokenbroker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlatformPathPatternTest {

    private static boolean matches(String pattern, String path) {
        List<String> segments = Arrays.asList(path.substring(1).split("/", -1));
        return PlatformPathPattern.of(pattern).matches(segments);
    }

    @Test
    void aStarStandsForExactlyOneSegment() {
        assertThat(matches("/openapi/orders/*", "/openapi/orders/17")).isTrue();
        assertThat(matches("/openapi/orders/*", "/openapi/orders/17/items")).isFalse();
        assertThat(matches("/openapi/orders/*", "/openapi/orders")).isFalse();
        assertThat(matches("/openapi/*/items", "/openapi/orders/items")).isTrue();
    }

    @Test
    void aDoubleStarStandsForAnyNumberOfSegmentsNoneIncluded() {
        assertThat(matches("/**", "/openapi/orders/17")).isTrue();
        assertThat(matches("/openapi/**", "/openapi")).isTrue();
        assertThat(matches("/openapi/**", "/openapi/a/b/c")).isTrue();
        assertThat(matches("/openapi/**/items", "/openapi/a/b/items")).isTrue();
        assertThat(matches("/openapi/**/items", "/openapi/a/b/item")).isFalse();
        assertThat(matches("/openapi/**", "/other/a")).isFalse();
    }

    @Test
    void literalSegmentsMatchWholeAndCaseSensitive() {
        assertThat(matches("/openapi/orders", "/openapi/orders")).isTrue();
        assertThat(matches("/openapi/orders", "/openapi/Orders")).isFalse();
        assertThat(matches("/openapi/orders", "/openapi/orders-all")).isFalse();
        assertThat(matches("/openapi/orders", "/openapi/orders;x=1")).isFalse();
    }

    @Test
    void malformedPatternsAreRefusedWithTheReason() {
        assertThat(PlatformPathPattern.problem("openapi/x")).hasValueSatisfying(p -> assertThat(p).contains("start with /"));
        assertThat(PlatformPathPattern.problem("/openapi//x")).isPresent();
        assertThat(PlatformPathPattern.problem("/openapi/../x")).isPresent();
        assertThat(PlatformPathPattern.problem("/openapi/ord*")).hasValueSatisfying(p -> assertThat(p).contains("whole segments"));
        assertThat(PlatformPathPattern.problem("/openapi/**")).isEmpty();
        assertThatThrownBy(() -> PlatformPathPattern.of("x")).isInstanceOf(IllegalArgumentException.class);
    }
}
