package dev.airlock.sso;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The groups claim as providers send it: a list, one string, or something else (no groups). */
class GroupsClaimTest {
    @Test
    void listsAndSingleNamesAreGroupsAnythingElseIsNone() {
        assertThat(SsoService.groupsOf(List.of("eng", "release", "eng", "")))
                .containsExactlyInAnyOrder("eng", "release");
        assertThat(SsoService.groupsOf("eng")).containsExactly("eng");
        assertThat(SsoService.groupsOf(null)).isEmpty();
        assertThat(SsoService.groupsOf(Map.of("eng", true))).isEmpty();
        assertThat(SsoService.groupsOf(List.of(1, Map.of(), "ops"))).containsExactly("ops");
    }
}
