package dev.airlock.twofactor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A refused key answer reaches the user as a sentence saying what to do, never as the WebAuthn library's exception text. */
class KeyRefusalTest {
    @Test
    void libraryExceptionsBecomeSentences() {
        // the text the issue saw on the console: the library's exception, class name and all
        Exception origin =
                new IllegalArgumentException("java.lang.IllegalArgumentException: Incorrect origin, please see"
                        + " the RelyingParty.origins setting: http://127.0.0.1:4873");
        Exception other =
                new IllegalStateException("com.fasterxml.jackson.databind.exc.MismatchedInputException: Missing"
                        + " required creator property 'response'");
        for (Exception e : new Exception[] {origin, other, new RuntimeException((String) null)}) {
            String said = SecurityKeys.refusal(e);
            assertThat(said)
                    .doesNotContain("java.")
                    .doesNotContain("Exception")
                    .doesNotContain("com.")
                    .doesNotContain("null")
                    .endsWith(".");
            assertThat(said).containsAnyOf("try again", "Use another key");
        }
        assertThat(SecurityKeys.refusal(origin)).contains("Open the console at its own address");
    }
}
