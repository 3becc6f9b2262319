package dev.airlock.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.platform.npm.NpmPath;
import dev.airlock.shared.AirlockException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpmPathTest {
    @Test
    void scopedNamesInEveryForm() {
        for (String raw : List.of("/@acme%2flib", "/@acme%2Flib", "/@acme/lib")) {
            NpmPath p = NpmPath.parse(raw);
            assertThat(p.name().toString()).isEqualTo("@acme/lib");
            assertThat(p.rest()).isEmpty();
        }
    }

    @Test
    void tarballAndRevisionSegments() {
        NpmPath p = NpmPath.parse("/@acme/lib/-/lib-1.0.0.tgz/-rev/3-abc?x=1");
        assertThat(p.name().toString()).isEqualTo("@acme/lib");
        assertThat(p.rest()).containsExactly("-", "lib-1.0.0.tgz", "-rev", "3-abc");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/%2e%2e%2fetc",
                "/@acme%2f..",
                "/@acme%2f%2e%2e",
                "/..%2f..%2fetc%2fpasswd",
                "/%252e%252e",
                "/foo%00bar",
                "/foo%zz",
                "/@acme",
                "/%2e",
                "/@acme%2flib%2fextra"
            })
    void traversalAndMalformedPathsAreRejected(String raw) {
        assertThatThrownBy(() -> NpmPath.parse(raw)).isInstanceOf(AirlockException.class);
    }
}
