package dev.airlock.staging.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.json.Json;
import dev.airlock.staging.Approval;
import dev.airlock.staging.Stage;
import dev.airlock.staging.StagingService;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact JSON npm stage list and view print: scalar fields only, CI identity spread, approvedBy only once approved. */
class StageAnswersTest {
    private static final long T = 1_700_000_000_000L;

    @Test
    void aPendingStageHasNoCiFieldsAndNoApprovers() {
        Stage s = Stage.builder()
                .id("s1")
                .release("widget", "1.0.0", "latest")
                .stagedBy("alice", "user", "tk", "127.0.0.1")
                .tarball("sha512-x", "abc", 42)
                .approvalsRequired(2)
                .lifetime(T, T + 1000)
                .build();
        assertThat(Json.write(StagingRoutes.item(new StagingService.StageView(s, List.of()))))
                .isEqualTo("{\"id\":\"s1\","
                        + "\"packageName\":\"widget\",\"version\":\"1.0.0\",\"tag\":\"latest\",\"createdAt\":\"2023-11-14T22:13:20Z\","
                        + "\"actor\":\"alice\",\"actorType\":\"user\",\"shasum\":\"abc\",\"integrity\":\"sha512-x\",\"size\":42,"
                        + "\"state\":\"pending\",\"expiresAt\":\"2023-11-14T22:13:21Z\",\"approvals\":\"0/2\"}");
    }

    @Test
    void aTrustedPublishingStageSpreadsItsCiIdentityBeforeTheApprovers() {
        Stage c = Stage.builder()
                .id("s2")
                .release("widget", "1.0.1", "next")
                .stagedBy("github:o/r", "oidc", null, "1.2.3.4")
                .tarball("sha512-y", "def", 7)
                .approvalsRequired(1)
                .lifetime(T, T + 1000)
                .ciJson("{\"repository\":\"o/r\",\"workflow\":\"ci.yml\",\"run\":12}")
                .build();
        StagingService.StageView v = new StagingService.StageView(
                c, List.of(new Approval("bob", "totp", T), new Approval("carol", "webauthn", T)));
        assertThat(Json.write(StagingRoutes.item(v)))
                .isEqualTo("{\"id\":\"s2\",\"packageName\":\"widget\",\"version\":\"1.0.1\","
                        + "\"tag\":\"next\",\"createdAt\":\"2023-11-14T22:13:20Z\",\"actor\":\"github:o/r\",\"actorType\":\"oidc\","
                        + "\"shasum\":\"def\",\"integrity\":\"sha512-y\",\"size\":7,\"state\":\"pending\","
                        + "\"expiresAt\":\"2023-11-14T22:13:21Z\",\"approvals\":\"2/1\",\"ciRepository\":\"o/r\",\"ciWorkflow\":\"ci.yml\","
                        + "\"ciRun\":\"12\",\"approvedBy\":\"bob, carol\"}");
    }

    @Test
    void theOtherAnswers() {
        assertThat(Json.write(new StagingRoutes.Staged("s1", "widget", "1.0.0", "latest", "2023-11-14T22:13:21Z")))
                .isEqualTo("{\"stageId\":\"s1\",\"packageName\":\"widget\",\"version\":\"1.0.0\",\"tag\":\"latest\","
                        + "\"expiresAt\":\"2023-11-14T22:13:21Z\"}");
        assertThat(Json.write(new StagingRoutes.Approved("s1", "widget", "1.0.0", false, "1/2")))
                .isEqualTo(
                        "{\"id\":\"s1\",\"packageName\":\"widget\",\"version\":\"1.0.0\",\"published\":false,\"approvals\":\"1/2\"}");
        assertThat(Json.write(new StagingRoutes.StageList(List.of(), 0))).isEqualTo("{\"items\":[],\"total\":0}");
    }
}
