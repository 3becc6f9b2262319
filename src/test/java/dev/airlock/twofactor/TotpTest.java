package dev.airlock.twofactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6238 appendix B test vectors (SHA-1), and the ±1 step window. */
class TotpTest {
    static final byte[] SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @CsvSource({
        "59, 94287082",
        "1111111109, 07081804",
        "1111111111, 14050471",
        "1234567890, 89005924",
        "2000000000, 69279037",
        "20000000000, 65353130"
    })
    void rfc6238Vectors(long seconds, String expected) {
        assertThat(Totp.code(SECRET, Totp.step(seconds * 1000), 8)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"-30, true", "0, true", "30, true", "60, false", "-60, false"})
    void acceptsOnlyTheAdjacentSteps(long offsetSeconds, boolean accepted) {
        long now = 1_700_000_000_000L;
        String code = Totp.code(SECRET, Totp.step(now + offsetSeconds * 1000));
        assertThat(Totp.matchingStep(SECRET, code, now) >= 0).isEqualTo(accepted);
    }
}
