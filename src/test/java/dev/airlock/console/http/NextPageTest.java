package dev.airlock.console.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where sign-in may send the browser afterwards: console pages of this server only (no open redirect). */
class NextPageTest {
    @Test
    void onlyConsolePagesOfThisServer() {
        assertThat(ConsoleRoutes.next("/-/console/confirm/abc")).isEqualTo("/-/console/confirm/abc");
        assertThat(ConsoleRoutes.next("/-/console/web-login/abc?x=1")).isEqualTo("/-/console/web-login/abc?x=1");
        for (String bad : new String[] {null, "", "https://evil.example/", "//evil.example/-/console/", "/-/console//evil.example",
            "/-/console/\\evil", "/elsewhere", "/-/console/a b", "/-/console/\u00e9", "/-/console/" + "a".repeat(400)}) {
            assertThat(ConsoleRoutes.next(bad)).as(String.valueOf(bad)).isEqualTo("/-/console/");
        }
    }
}
