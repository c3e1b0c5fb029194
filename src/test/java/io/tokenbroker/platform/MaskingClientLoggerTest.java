package io.tokenbroker.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaskingClientLoggerTest {

    @Test
    void masksTheSecretWhereverItStandsInTheQuery() {
        assertThat(MaskingClientLogger.mask("https://p/openapi/auth/credential?clientId=a&secret=s3cr3t&userType=2"))
                .isEqualTo("https://p/openapi/auth/credential?clientId=a&secret=***&userType=2");
        assertThat(MaskingClientLogger.mask("https://p/x?secret=s3cr3t")).isEqualTo("https://p/x?secret=***");
        assertThat(MaskingClientLogger.mask("https://p/x?SECRET=s3cr3t#f")).isEqualTo("https://p/x?SECRET=***#f");
        assertThat(MaskingClientLogger.mask("https://p/x?clientId=a")).isEqualTo("https://p/x?clientId=a");
    }
}
