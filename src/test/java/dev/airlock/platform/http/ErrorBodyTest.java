package dev.airlock.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.json.Json;
import org.junit.jupiter.api.Test;

/** npm reads {"error": ...}; only a security-key challenge carries the web OTP URLs. */
class ErrorBodyTest {
    @Test
    void aRefusalIsOneSentence() {
        assertThat(Json.write(new ErrorMapper.ErrorBody("Log in first."))).isEqualTo("{\"error\":\"Log in first.\"}");
    }

    @Test
    void aKeyChallengeAddsBothUrls() {
        assertThat(Json.write(new ErrorMapper.ErrorBody("Confirm.", "https://a/auth", "https://a/done")))
                .isEqualTo("{\"error\":\"Confirm.\",\"authUrl\":\"https://a/auth\",\"doneUrl\":\"https://a/done\"}");
    }
}
