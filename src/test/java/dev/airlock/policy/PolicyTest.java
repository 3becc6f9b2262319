package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.airlock.platform.json.Json;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import org.junit.jupiter.api.Test;

/** Parsing and merging of policy changes, in particular "approval requires a security key". */
class PolicyTest {
    @Test
    void parsesSecurityKeyApproval() {
        Policy p = Policy.fromJson(Json.parse("{\"securityKeyApproval\": true, \"approvals\": 2}"));
        assertThat(p).isEqualTo(new Policy(null, null, 2, null, true));
        assertThat(Policy.fromJson(Json.parse("{\"securityKeyApproval\": false}"))
                        .securityKeyApproval())
                .isFalse();
        assertThat(Policy.fromJson(Json.parse("{\"securityKeyApproval\": null}"))
                        .securityKeyApproval())
                .isNull();
        assertThat(Policy.fromJson(Json.parse("{}"))).isEqualTo(Policy.EMPTY);
    }

    @Test
    void aWrongTypeIsABadRequestNamingTheField() {
        for (String value : new String[] {"\"true\"", "1", "[]", "{}"}) {
            AirlockException e = catchThrowableOfType(
                    AirlockException.class,
                    () -> Policy.fromJson(Json.parse("{\"securityKeyApproval\": " + value + "}")));
            assertThat(e).as(value).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(e.code().status()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo("securityKeyApproval must be true or false.");
        }
    }

    @Test
    void anUnknownFieldListsEveryKnownOne() {
        AirlockException e = catchThrowableOfType(
                AirlockException.class, () -> Policy.fromJson(Json.parse("{\"securityKey\": true}")));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.getMessage())
                .isEqualTo("Unknown policy field \"securityKey\"; use mfa, stagingRequired, approvals, require2fa,"
                        + " securityKeyApproval, requireProvenance.");
    }

    @Test
    void withReplacesOnlyTheFieldsThatAreSet() {
        Policy org = new Policy("publish", true, 2, true, true);
        assertThat(org.with(Policy.EMPTY)).isEqualTo(org);
        assertThat(org.with(new Policy(null, null, null, null, false)))
                .isEqualTo(new Policy("publish", true, 2, true, false));
        assertThat(Policy.EMPTY.with(new Policy(null, null, 3, null, true)))
                .isEqualTo(new Policy(null, null, 3, null, true));
    }

    @Test
    void describeAndViewIncludeTheField() {
        assertThat(PolicyService.describe(new Policy(null, null, null, null, true)))
                .containsExactly(java.util.Map.entry("securityKeyApproval", true));
        assertThat(Json.write(Policy.EMPTY))
                .isEqualTo("{\"mfa\":null,\"stagingRequired\":null,\"approvals\":null,"
                        + "\"require2fa\":null,\"securityKeyApproval\":null,\"requireProvenance\":null}");
    }

    @Test
    void thePackageViewKeepsItsFieldsInOrderWithNulls() {
        PolicyView.OfPackage v = new PolicyView.OfPackage(
                "@corp/widget",
                new Policy(null, true, null, null, null),
                null,
                Policy.EMPTY,
                new PolicyView.Effective("none", true, 1, false, false, null));
        assertThat(Json.write(v))
                .isEqualTo("{\"package\":\"@corp/widget\",\"own\":{\"mfa\":null,\"stagingRequired\":true,"
                        + "\"approvals\":null,\"require2fa\":null,\"securityKeyApproval\":null,"
                        + "\"requireProvenance\":null},\"org\":null,\"inherited\":{\"mfa\":null,"
                        + "\"stagingRequired\":null,\"approvals\":null,\"require2fa\":null,\"securityKeyApproval\":null,"
                        + "\"requireProvenance\":null},"
                        + "\"effective\":{\"mfa\":\"none\",\"stagingRequired\":true,\"approvals\":1,\"orgRequires2fa\":false,"
                        + "\"securityKeyApproval\":false,\"requireProvenance\":null}}");
        assertThat(Json.write(new PolicyView.OfOrg("corp", Policy.EMPTY)))
                .startsWith("{\"org\":\"corp\",\"own\":{\"mfa\":null,");
    }
}
