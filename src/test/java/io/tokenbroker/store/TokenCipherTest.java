package io.tokenbroker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenCipherTest {

    static final String KEY = "q3w8Nf0r7Yd2kL5pXc9vB1mZ4tH6jS8eR0uI2oP4aQ8=";
    static final String OLD_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    static final String FOREIGN_KEY = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

    private final TokenCipher cipher = only(KEY);

    @Test
    void sealedValuesOpenForTheirClientOnly() {
        String sealed = cipher.seal("billing", "tok-123456");
        assertThat(sealed).doesNotContain("tok-123456");
        assertThat(cipher.open("billing", sealed)).contains("tok-123456");
        assertThat(cipher.open("other", sealed)).isEmpty();
    }

    @Test
    void everySealUsesAFreshNonce() {
        assertThat(cipher.seal("c", "same")).isNotEqualTo(cipher.seal("c", "same"));
    }

    @Test
    void clearMalformedTamperedAndForeignValuesNeverOpen() {
        String sealed = cipher.seal("c", "tok");
        char flipped = sealed.charAt(20) == 'A' ? 'B' : 'A';
        String tampered = sealed.substring(0, 20) + flipped + sealed.substring(21);

        assertThat(cipher.open("c", "tok")).as("clear text").isEmpty();
        assertThat(cipher.open("c", null)).isEmpty();
        assertThat(cipher.open("c", "aes256gcm:not base64!")).isEmpty();
        assertThat(cipher.open("c", "aes256gcm:AAAA")).as("shorter than a nonce").isEmpty();
        assertThat(cipher.open("c", tampered)).isEmpty();
        assertThat(cipher.open("c", only(FOREIGN_KEY).seal("c", "tok"))).isEmpty();
    }

    @Test
    void rotationInTwoPhasesKeepsEveryReplicaReading() {
        // Phase 1: every replica learns the new key while all still seal with the old one.
        TokenCipher phaseOne = new TokenCipher(OLD_KEY, Optional.empty(), Optional.of(KEY));
        // Phase 2: replicas seal with the new key one by one; the old one stays readable.
        TokenCipher phaseTwo = new TokenCipher(KEY, Optional.of(OLD_KEY), Optional.empty());

        assertThat(phaseOne.open("c", phaseTwo.seal("c", "new"))).contains("new");
        assertThat(phaseTwo.open("c", phaseOne.seal("c", "old"))).contains("old");
        assertThat(only(OLD_KEY).open("c", phaseTwo.seal("c", "new")))
                .as("a replica skipping phase 1 could not read the new key's values").isEmpty();
    }

    @Test
    void aMalformedKeyFailsNamingThePropertyNotTheValue() {
        assertThatThrownBy(() -> only("c2hvcnQ="))
                .hasMessageContaining("broker.store.encryption-key").hasMessageNotContaining("c2hvcnQ=");
        assertThatThrownBy(() -> only("not base64!"))
                .hasMessageContaining("broker.store.encryption-key").hasMessageNotContaining("not base64!");
        assertThatThrownBy(() -> new TokenCipher(KEY, Optional.empty(), Optional.of("c2hvcnQ=")))
                .hasMessageContaining("broker.store.next-encryption-key").hasMessageNotContaining("c2hvcnQ=");
    }

    static TokenCipher only(String key) {
        return new TokenCipher(key, Optional.empty(), Optional.empty());
    }
}
