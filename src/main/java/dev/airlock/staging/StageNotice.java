package dev.airlock.staging;

import dev.airlock.notifications.Notification;
import dev.airlock.shared.Actor;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The notification a new stage sends to the package's approvers and to webhooks ({@code stage.created}). It says
 * what was staged, by whom and with which credential, and where to decide; it carries no way to approve.
 */
final class StageNotice {
    private StageNotice() {}

    static Notification created(Stage s, Actor actor, List<String> approvers) {
        String how = switch (s.actorType()) {
            case "oidc" -> "trusted publishing (a CI identity)";
            case "token" -> actor.bypasses2fa() ? "an automation token that bypasses 2FA" : "an automation token";
            default -> "a login session";
        };
        String body = s.pkg() + "@" + s.version() + " (tag " + s.tag() + ") was staged by " + s.actor() + " with "
                + how + (s.source() == null ? "" : " from " + s.source()) + " at "
                + Instant.ofEpochMilli(s.createdAt()) + ".\n\n"
                + "It is not installable until " + s.approvalsRequired() + " maintainer"
                + (s.approvalsRequired() == 1 ? "" : "s") + " approve it; unless approved it expires at "
                + Instant.ofEpochMilli(s.expiresAt()) + ".\n"
                + "Tarball integrity: " + s.integrity() + "\n\n"
                + "Review it in the console under \"Staged\". If you did not expect this release, reject it there"
                + " and revoke the credential that staged it.";
        Map<String, Object> data = s.noticeData();
        data.put("bypass2fa", actor.bypasses2fa());
        data.put("integrity", s.integrity());
        data.put("approvalsRequired", s.approvalsRequired());
        data.put("expiresAt", Instant.ofEpochMilli(s.expiresAt()).toString());
        if (s.ciJson() != null) {
            data.put("ci", dev.airlock.platform.json.Json.parse(s.ciJson()));
        }
        return Notification.of(
                        "stage.created", "info", "Staged for approval: " + s.pkg() + "@" + s.version(), body, data)
                .to(approvers)
                .dedupKey("stage:" + s.id());
    }
}
