package dev.airlock.trust.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.json.Json;
import dev.airlock.trust.TrustedPublisher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** npm trust list prints id, type, the stored claims (nulls kept) and permissions; never the pins or the creator. */
class TrustAnswersTest {
    @Test
    void aTrustRelationshipShowsItsClaimsAsStored() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("repository", "o/r");
        claims.put("workflow", "ci.yml");
        claims.put("environment", null);
        TrustedPublisher t = new TrustedPublisher(
                "t1", "widget", "github", claims, List.of("createPackage"), Map.of("x", "1"), 5L, "alice");
        assertThat(Json.write(TrustRoutes.views(List.of(t))))
                .isEqualTo(
                        "[{\"id\":\"t1\",\"type\":\"github\",\"claims\":"
                                + "{\"repository\":\"o/r\",\"workflow\":\"ci.yml\",\"environment\":null},\"permissions\":[\"createPackage\"]}]");
    }
}
