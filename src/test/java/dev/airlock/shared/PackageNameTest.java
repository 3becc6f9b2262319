package dev.airlock.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PackageNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"a", "left-pad", "@acme/lib", "@a/b.c_d-e", "some-package.js"})
    void accepts(String name) {
        assertThat(PackageName.parse(name).toString()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Upper", ".hidden", "_under", "@acme/.x", "@/x", "@acme/", "@acme", "a/b", "@a/b/c",
        "with space", "tilde~name", " lead", "node_modules", "fs", "../etc", "..", "a%2fb", "ünïcode", "x\u0000y"})
    void rejects(String name) {
        assertThatThrownBy(() -> PackageName.parse(name)).isInstanceOf(AirlockException.class)
                .satisfies(e -> assertThat(((AirlockException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @ParameterizedTest
    @ValueSource(ints = {215, 300})
    void rejectsLongNames(int length) {
        assertThatThrownBy(() -> PackageName.parse("x".repeat(length))).hasMessageContaining("214");
    }

    @org.junit.jupiter.api.Test
    void acceptsTheLongestName() {
        assertThat(PackageName.parse("x".repeat(214)).bare()).hasSize(214);
    }

    @org.junit.jupiter.api.Test
    void escapesScopedNamesAsNpmDoes() {
        assertThat(PackageName.parse("@acme/lib").escaped()).isEqualTo("@acme%2flib");
        assertThat(PackageName.parse("@acme/lib").bare()).isEqualTo("lib");
    }
}
