package dev.airlock.orgs.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.json.Json;
import org.junit.jupiter.api.Test;

/** npm org set prints the org's name and size, the user and the role from this answer. */
class OrgAnswersTest {
    @Test
    void theMemberSetAnswer() {
        assertThat(Json.write(new OrgRoutes.MemberSet(new OrgRoutes.OrgSize("corp", 3), "bob", "developer")))
                .isEqualTo("{\"org\":{\"name\":\"corp\",\"size\":3},\"user\":\"bob\",\"role\":\"developer\"}");
    }
}
