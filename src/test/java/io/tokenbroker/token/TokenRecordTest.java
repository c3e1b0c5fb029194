package io.tokenbroker.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenRecordTest {

    private static final Instant EXPIRES = Instant.parse("2026-11-25T12:00:00Z");
    private static final TokenRecord RECORD = new TokenRecord("t", EXPIRES.minus(Duration.ofHours(2)), EXPIRES, 1);

    @Test
    void isServableUntilOneSecondBeforeItExpires() {
        assertThat(RECORD.servableAt(EXPIRES.minusMillis(1001))).isTrue();
        assertThat(RECORD.servableAt(EXPIRES.minusMillis(1000))).isTrue();
        assertThat(RECORD.servableAt(EXPIRES.minusMillis(999))).isFalse();
    }

    @Test
    void theMillisecondCheckAgreesWithTheInstantOne() {
        for (long before = -2000; before <= 3000; before += 1) {
            Instant now = EXPIRES.minusMillis(before);
            assertThat(RECORD.servableAtMillis(now.toEpochMilli())).as("%d ms before expiry", before)
                    .isEqualTo(RECORD.servableAt(now));
        }
    }
}
