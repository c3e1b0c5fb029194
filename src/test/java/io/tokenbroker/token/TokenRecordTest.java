package io.tokenbroker.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenRecordTest {

    private static final Instant EXPIRES = Instant.parse("2026-11-25T12:00:00Z");
    private static final TokenRecord RECORD = new TokenRecord("t", EXPIRES.minus(Duration.ofHours(2)), EXPIRES, 5);

    @Test
    void isServableUntilOneSecondBeforeItExpires() {
        assertThat(RECORD.servableAt(EXPIRES.minusMillis(1001).toEpochMilli())).isTrue();
        assertThat(RECORD.servableAt(EXPIRES.minusMillis(1000).toEpochMilli())).isTrue();
        assertThat(RECORD.servableAt(EXPIRES.minusMillis(999).toEpochMilli())).isFalse();
    }

    @Test
    void newerMeansAHigherGenerationNeverALaterClockOfAnotherHost() {
        TokenRecord requestedLater = new TokenRecord("later", RECORD.acquiredAt().plusSeconds(60),
                RECORD.expiresAt().plusSeconds(60), 5);
        assertThat(requestedLater.newerThan(RECORD)).isFalse();
        assertThat(requestedLater.replaces(RECORD, RECORD.acquiredAt())).isFalse();
        assertThat(RECORD.withGeneration(6).newerThan(RECORD)).isTrue();
        assertThat(RECORD.newerThan(null)).isTrue();
    }

    @Test
    void anyServableRecordReplacesOneThatIsNoLonger() {
        Instant afterExpiry = EXPIRES.plusSeconds(1);
        TokenRecord older = new TokenRecord("older", afterExpiry, afterExpiry.plusSeconds(60), 1);
        assertThat(older.replaces(RECORD, afterExpiry)).isTrue();
        assertThat(older.replaces(RECORD, EXPIRES.minusSeconds(10))).isFalse();
    }
}
