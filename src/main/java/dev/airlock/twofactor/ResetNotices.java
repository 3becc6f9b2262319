package dev.airlock.twofactor;

import dev.airlock.notifications.Notification;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mails and webhook messages of an admin-assisted reset: requested, cancelled, applied. They go to the user and
 * to the owners of the user's orgs. They say what happened, why, who asked and when it takes effect, how to cancel
 * (in the console, never by replying), and that Airlock never asks for codes by mail.
 */
final class ResetNotices {
    static final String NEVER_BY_MAIL =
            "Airlock never asks for your password, your authenticator codes or your recovery"
                    + " codes by mail or by phone, and nobody needs them to reset or to cancel a reset. Anyone who asks for"
                    + " them is not Airlock.";

    private ResetNotices() {}

    static Notification requested(PendingReset r, List<String> to) {
        String body = "An administrator (" + r.requestedBy() + ") asked to reset the second factor of the Airlock"
                + " account \"" + r.user() + "\": its authenticator app, security keys and recovery codes will be"
                + " removed, so it can sign in with its password alone and set up a new factor.\n\n"
                + "Reason given: " + r.reason() + "\n\n"
                + "The reset takes effect at " + r.effective() + ". Until then the account cannot approve releases,"
                + " create tokens, or change policies, owners or trusted publishers.\n\n"
                + "If " + r.user() + " did not ask for this, cancel it before then in the Airlock console: "
                + r.user() + " on the account page (Account, \"Pending second-factor reset\", Cancel), an owner of"
                + " one of " + r.user() + "'s orgs on the org's page. Cancelling needs a console sign-in.\n\n"
                + NEVER_BY_MAIL;
        return notice("tfa.reset.requested", "warning", "Second-factor reset requested for " + r.user(), body, r)
                .to(to);
    }

    static Notification cancelled(PendingReset r, String by, List<String> to) {
        String body = "The reset of the second factor of the Airlock account \"" + r.user() + "\", requested by "
                + r.requestedBy() + " at " + r.requested() + " (reason: " + r.reason() + "), was cancelled by " + by
                + ". The account keeps its second factor and may approve, create tokens and change policies again."
                + "\n\n" + NEVER_BY_MAIL;
        Notification n =
                notice("tfa.reset.cancelled", "info", "Second-factor reset of " + r.user() + " cancelled", body, r);
        Map<String, Object> data = new LinkedHashMap<>(n.data());
        data.put("cancelledBy", by);
        return new Notification(n.kind(), n.severity(), n.subject(), n.body(), data, to, n.dedupKey());
    }

    static Notification applied(PendingReset r, long at, List<String> to) {
        String body = "The second factor of the Airlock account \"" + r.user() + "\" was reset at "
                + Instant.ofEpochMilli(at) + ", as " + r.requestedBy() + " requested at " + r.requested()
                + " (reason: " + r.reason() + "). Its authenticator app, security keys and recovery codes are"
                + " removed: it signs in with its password alone until it sets up a new factor. Set one up now on"
                + " the account page of the Airlock console, or with `npm profile enable-2fa auth-and-writes`.\n\n"
                + "If " + r.user() + " did not expect this, tell your Airlock administrators at once.\n\n"
                + NEVER_BY_MAIL;
        return notice("tfa.reset.applied", "warning", "Second factor of " + r.user() + " reset", body, r)
                .to(to);
    }

    private static Notification notice(String kind, String severity, String subject, String body, PendingReset r) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("user", r.user());
        data.put("reset", r.id());
        data.put("reason", r.reason());
        data.put("requestedBy", r.requestedBy());
        data.put("requestedAt", r.requested().toString());
        data.put("effectiveAt", r.effective().toString());
        return Notification.of(kind, severity, subject, body, data).dedupKey("tfa-reset:" + r.id());
    }
}
