package dev.airlock.console.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where sign-in may send the browser afterwards: console pages of this server only (no open redirect). */
class NextPageTest {
    @Test
    void consolePagesAreKept() {
        assertThat(NextPage.of("/-/console/confirm/abc")).isEqualTo("/-/console/confirm/abc");
        assertThat(NextPage.of("/-/console/web-login/abc?x=1")).isEqualTo("/-/console/web-login/abc?x=1");
        assertThat(NextPage.of("/-/console/package/@acme/lib")).isEqualTo("/-/console/package/@acme/lib");
    }

    @Test
    void anythingElseIsTheConsoleHome() {
        for (String bad : new String[] {
            null,
            "",
            "https://evil.example/",
            "//evil.example/-/console/",
            "/elsewhere",
            "/-/console/a b",
            "/-/console/\u00e9",
            "/-/console/" + "a".repeat(400),
            "-/console/x",
            "/-/console"
        }) {
            assertThat(NextPage.of(bad)).as(String.valueOf(bad)).isEqualTo("/-/console/");
        }
    }

    @Test
    void dotSegmentsBackslashesAndEncodedSlashesAreResolvedAndStayInside() {
        // each of these left the console before (a browser resolves the dot segments after the redirect)
        assertThat(NextPage.of("/-/console/../../x")).isEqualTo("/-/console/");
        assertThat(NextPage.of("/-/console/%2e%2e/%2e%2e/x")).isEqualTo("/-/console/");
        assertThat(NextPage.of("/-/console/%2E%2E/%2E%2E/-/v1/login")).isEqualTo("/-/console/");
        assertThat(NextPage.of("/-/console/%252e%252e/%252e%252e/x")).isEqualTo("/-/console/");
        assertThat(NextPage.of("/-/console/..%2f..%2fx")).isEqualTo("/-/console/");
        assertThat(NextPage.of("/-/console/..\\..\\x")).isEqualTo("/-/console/");
        assertThat(NextPage.of("/-/console/\\\\evil.example")).isEqualTo("/-/console/evil.example");
        assertThat(NextPage.of("/-/console//evil.example")).isEqualTo("/-/console/evil.example");
        // dot segments that stay inside are resolved, not refused
        assertThat(NextPage.of("/-/console/stage/../account")).isEqualTo("/-/console/account");
        assertThat(NextPage.of("/-/console/./tokens?done=1")).isEqualTo("/-/console/tokens?done=1");
        assertThat(NextPage.of("/-/console/package/@acme%2flib")).isEqualTo("/-/console/package/@acme/lib");
    }
}
