package dev.airlock.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PackageNameTest {
    /**
     * Name, validForOldPackages, validForNewPackages: the verdicts of validate-npm-package-name 7.0.2 (the copy inside
     * npm 11.19.1), obtained by running it over exactly these names. Old-valid names are readable and installable;
     * only new-valid names may be published as new packages without an administrator's allowance.
     */
    @ParameterizedTest(name = "{0}: old={1} new={2}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            ignoreLeadingAndTrailingWhitespace = false,
            value = {
                "some-package|true|true",
                "example.com|true|true",
                "under_score|true|true",
                "period.js|true|true",
                "123numeric|true|true",
                "test|true|true",
                "@npm/thingy|true|true",
                "@acme/lib|true|true",
                "@scope/_name|true|true",
                "@scope/-name|true|true",
                "@scope/node_modules|true|true",
                "@scope/http|true|true",
                "crazy!|true|false",
                "@npm-zors/money!time.js|true|false",
                "tilde~name|true|false",
                "~tilde|true|false",
                "it's(ok)*|true|false",
                "http|true|false",
                "process|true|false",
                "punycode|true|false",
                "string_decoder|true|false",
                "buffer|true|false",
                "events|true|false",
                "util|true|false",
                "assert|true|false",
                "url|true|false",
                "Punycode|true|false",
                "CAPITAL-LETTERS|true|false",
                "JSONStream|true|false",
                "@scope/JSONStream|true|false",
                ".start-with-period|false|false",
                "-start-with-hyphen|false|false",
                "_start-with-underscore|false|false",
                "contain:colons|false|false",
                "\" leading-space\"|false|false",
                "\"trailing-space \"|false|false",
                "s/l/a/s/h/e/s|false|false",
                "node_modules|false|false",
                "favicon.ico|false|false",
                "Node_Modules|false|false",
                "node:test|false|false",
                "@scope/.name|false|false",
                "@scope/name/extra|false|false",
                "@/name|false|false",
                "@scope/|false|false",
                "a@b|false|false",
                "with space|false|false",
                "ünïcode|false|false",
                "..|false|false",
                "../etc|false|false",
                "%2e%2e|false|false",
                "a%2fb|false|false"
            })
    void followsValidateNpmPackageName(String name, boolean validForOld, boolean validForNew) {
        if (validForOld) {
            PackageName parsed = PackageName.parse(name);
            assertThat(parsed.toString()).isEqualTo(name);
            assertThat(parsed.validForNewPackages())
                    .as(parsed.newPackageProblems().toString())
                    .isEqualTo(validForNew);
        } else {
            assertThatThrownBy(() -> PackageName.parse(name))
                    .isInstanceOf(AirlockException.class)
                    .satisfies(e -> assertThat(((AirlockException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }

    /** Where Airlock is stricter than npm: a scope is a user or org name, lowercase and never "." or ".."-like. */
    @ParameterizedTest
    @ValueSource(strings = {"@../x", "@.x/y", "@_x/y", "@Scope/x", "@", "@acme", "@acme/", "x\u0000y", "@a/b c"})
    void scopesAreUserOrOrgNames(String name) {
        assertThatThrownBy(() -> PackageName.parse(name))
                .isInstanceOf(AirlockException.class)
                .satisfies(e -> assertThat(((AirlockException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void saysWhyANameIsNotForNewPackages() {
        assertThat(PackageName.parse("punycode").newPackageProblems())
                .containsExactly("punycode is a Node.js core module name");
        assertThat(PackageName.parse("JSONStream").newPackageProblems())
                .containsExactly("JSONStream contains capital letters");
        assertThat(PackageName.parse("Buffer").newPackageProblems()).hasSize(2);
        assertThat(PackageName.parse("crazy!").newPackageProblems())
                .containsExactly("crazy! contains special characters (~'!()*)");
        // core module names are only unscoped names; a scope keeps them apart from Node's modules
        assertThat(PackageName.parse("@acme/punycode").validForNewPackages()).isTrue();
    }

    /** npm only warns about long names for new packages; Airlock stores names up to npm's limit of 214 characters. */
    @ParameterizedTest
    @ValueSource(ints = {215, 300})
    void rejectsLongNames(int length) {
        assertThatThrownBy(() -> PackageName.parse("x".repeat(length))).hasMessageContaining("214");
        assertThatThrownBy(() -> PackageName.parse("@acme/" + "x".repeat(length - 6)))
                .hasMessageContaining("214");
    }

    @Test
    void acceptsTheLongestName() {
        assertThat(PackageName.parse("x".repeat(214)).bare()).hasSize(214);
    }

    @Test
    void escapesScopedNamesAsNpmDoes() {
        assertThat(PackageName.parse("@acme/lib").escaped()).isEqualTo("@acme%2flib");
        assertThat(PackageName.parse("@acme/lib").bare()).isEqualTo("lib");
        assertThat(PackageName.parse("JSONStream").escaped()).isEqualTo("JSONStream");
    }
}
