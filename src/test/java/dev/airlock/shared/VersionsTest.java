package dev.airlock.shared;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VersionsTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "0.0.0",
                "1.2.3",
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-0.3.7",
                "1.0.0+build.1",
                "10.20.30-rc.1+sha.5"
            })
    void strictSemverIsAccepted(String v) {
        assertThat(Versions.isStrict(v)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "v1.2.3",
                "1.2",
                "01.2.3",
                "1.2.3-",
                "1.2.3-01",
                "1.2.3+",
                " 1.2.3",
                "1.2.3.4",
                "latest",
                "^1.0.0"
            })
    void looseFormsAreRejected(String v) {
        assertThat(Versions.isStrict(v)).isFalse();
    }
}
