package io.tokenbroker.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformPathTest {

    @Test
    void theClientAndThePlatformPathAreSplitAndThePathKeptAsSent() {
        PlatformPath path = PlatformPath.parse("/platform/default/openapi/orders/a%20b");

        assertThat(path.client()).isEqualTo("default");
        assertThat(path.rawPath()).isEqualTo("/openapi/orders/a%20b");
        assertThat(path.segments()).isEqualTo(List.of("openapi", "orders", "a b"));
    }

    @Test
    void encodedCharactersThatAreHarmlessAreDecodedForMatching() {
        assertThat(PlatformPath.parse("/platform/default/openapi/%6Frders").segments())
                .containsExactly("openapi", "orders");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/platform/default/openapi/../auth/credential",
        "/platform/default/openapi/%2e%2e/x",
        "/platform/default/openapi/%2E/x",
        "/platform/default/openapi/./x",
        "/platform/default/openapi/..;/x",
        "/platform/default/openapi/.;a=b/x",
        "/platform/default/openapi/a%2Fb",
        "/platform/default/openapi/a%2fb",
        "/platform/default/openapi/a%5Cb",
        "/platform/default/openapi/a\\b",
        "/platform/default/openapi//x",
        "/platform/default/openapi/x/",
        "/platform/default/",
        "/platform//openapi/x",
        "/platform/default/openapi/%zz",
        "/platform/default/openapi/%c3%28",
        "/platform/default/openapi/orders/;x/items",
        "/platform/default/openapi/..%00/x",
        "/platform/default/openapi/a%0d%0aHost:%20evil",
        "/platform/default/openapi/a b",
        "/platform/default/openapi/caf\u00e9",
        "/platform/default/openapi/a\"b",
    })
    void pathsThatCouldBeReadAsAnotherAreRefused(String raw) {
        assertThatThrownBy(() -> PlatformPath.parse(raw)).isInstanceOf(InvalidPlatformPathException.class);
    }

    @Test
    void onlyPathsUnderThePrefixAreBusinessCalls() {
        assertThat(PlatformPath.isBusinessCall("/platform/default/x")).isTrue();
        assertThat(PlatformPath.isBusinessCall("/platform")).isFalse();
        assertThat(PlatformPath.isBusinessCall("/token")).isFalse();
    }
}
