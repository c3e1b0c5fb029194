package io.tokenbroker.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlatformAnswersTest {

    private final PlatformAnswers answers = new PlatformAnswers(new ObjectMapper(), Set.of(429, 503),
            Duration.ofSeconds(2));

    @Test
    void okWithDataIsAToken() {
        assertThat(answers.tokenFrom("c", 200, envelope(200, "\"tok-1\"", true))).isEqualTo("tok-1");
    }

    @Test
    void looselyTypedEnvelopeFieldsDoNotHideAToken() {
        String body = "{\"code\":\"200\",\"message\":0,\"trackId\":123456,\"data\":\"tok-2\",\"ok\":true,"
                + "\"timestamp\":1700000000000,\"_status\":true}";
        assertThat(answers.tokenFrom("c", 200, body)).isEqualTo("tok-2");
    }

    @Test
    void okWithoutUsableDataIsANonsenseAnswer() {
        assertThatThrownBy(() -> answers.tokenFrom("c", 200, envelope(200, "null", true)))
                .isInstanceOf(PlatformAnswerException.class);
        assertThatThrownBy(() -> answers.tokenFrom("c", 200, envelope(200, "\"  \"", true)))
                .isInstanceOf(PlatformAnswerException.class);
        assertThatThrownBy(() -> answers.tokenFrom("c", 200, envelope(200, "{\"a\":1}", true)))
                .isInstanceOf(PlatformAnswerException.class);
    }

    @Test
    void notOkWithABusyCodeIsTransient() {
        assertThatThrownBy(() -> answers.tokenFrom("c", 200, envelope(503, "null", false)))
                .isInstanceOf(PlatformUnavailableException.class);
    }

    @Test
    void notOkWithAnyOtherCodeIsARejection() {
        assertThatThrownBy(() -> answers.tokenFrom("c", 200, envelope(401, "null", false)))
                .isInstanceOf(CredentialsRejectedException.class)
                .satisfies(e -> assertThat(((PlatformException) e).isTransient()).isFalse());
    }

    @Test
    void serverErrorsAndThrottlingAreTransientWhateverTheBody() {
        for (int status : new int[] {500, 502, 503, 504, 429, 408}) {
            assertThatThrownBy(() -> answers.tokenFrom("c", status, "<html>oops</html>"))
                    .isInstanceOf(PlatformUnavailableException.class);
        }
    }

    @Test
    void htmlOrBrokenJsonIsANonsenseAnswerThatMayBeRetried() {
        assertThatThrownBy(() -> answers.tokenFrom("c", 200, "<html>login</html>"))
                .isInstanceOf(PlatformAnswerException.class)
                .satisfies(e -> assertThat(((PlatformException) e).isTransient()).isTrue());
        assertThatThrownBy(() -> answers.tokenFrom("c", 200, "{\"ok\":tru"))
                .isInstanceOf(PlatformAnswerException.class);
        assertThatThrownBy(() -> answers.tokenFrom("c", 200, "")).isInstanceOf(PlatformAnswerException.class);
        assertThatThrownBy(() -> answers.tokenFrom("c", 200, null)).isInstanceOf(PlatformAnswerException.class);
    }

    @Test
    void unauthorizedWithoutAnEnvelopeIsARejection() {
        assertThatThrownBy(() -> answers.tokenFrom("c", 401, "Unauthorized"))
                .isInstanceOf(CredentialsRejectedException.class);
    }

    @Test
    void messagesNeverQuoteTheBody() {
        assertThatThrownBy(() -> answers.tokenFrom("c", 200, "<html>secret-value</html>"))
                .hasMessageNotContaining("secret-value");
    }

    private static String envelope(int code, String data, boolean ok) {
        return "{\"code\":" + code + ",\"message\":\"m\",\"trackId\":\"t\",\"data\":" + data
                + ",\"extr\":null,\"timestamp\":1700000000,\"_status\":\"S\",\"ok\":" + ok + "}";
    }
}
