package io.tokenbroker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenCipherTest {

    static final String KEY = "q3w8Nf0r7Yd2kL5pXc9vB1mZ4tH6jS8eR0uI2oP4aQ8=";
    static final String OLD_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private final TokenCipher cipher = new TokenCipher(KEY, Optional.empty());

    @Test
    void sealedTokensOpenForTheirClientOnly() {
        String sealed = cipher.seal("billing", "tok-123456");
        assertThat(sealed).doesNotContain("tok-123456");
        assertThat(cipher.open("billing", sealed)).isEqualTo("tok-123456");
        assertThatThrownBy(() -> cipher.open("other", sealed)).isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("tok-123456");
    }

    @Test
    void everySealUsesAFreshNonce() {
        assertThat(cipher.seal("c", "same")).isNotEqualTo(cipher.seal("c", "same"));
    }

    @Test
    void valuesSealedWithThePreviousKeyStillOpenAfterARotation() {
        String sealedBefore = new TokenCipher(OLD_KEY, Optional.empty()).seal("c", "tok");
        TokenCipher rotated = new TokenCipher(KEY, Optional.of(OLD_KEY));
        assertThat(rotated.open("c", sealedBefore)).isEqualTo("tok");
        assertThatThrownBy(() -> cipher.open("c", sealedBefore)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMalformedKeyFailsNamingThePropertyNotTheValue() {
        assertThatThrownBy(() -> new TokenCipher("c2hvcnQ=", Optional.empty()))
                .hasMessageContaining("broker.store.encryption-key").hasMessageNotContaining("c2hvcnQ=");
        assertThatThrownBy(() -> new TokenCipher("not base64!", Optional.empty()))
                .hasMessageContaining("broker.store.encryption-key").hasMessageNotContaining("not base64!");
    }
}
