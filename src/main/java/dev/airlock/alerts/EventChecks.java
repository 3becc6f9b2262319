package dev.airlock.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.config.AlertsConfig;
import dev.airlock.platform.db.Tx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** What each event-based rule makes of one log entry: a {@link Firing}, or null when the entry is not a case. */
final class EventChecks {
    private static final List<String> MFA_STRENGTH = List.of("none", "automation", "publish");
    private final JdbiAlertStore store;
    private final PackageService packages;
    private final Supplier<List<String>> admins;
    private final AlertsConfig config;

    EventChecks(JdbiAlertStore store, PackageService packages, Supplier<List<String>> admins, AlertsConfig config) {
        this.store = store;
        this.packages = packages;
        this.admins = admins;
        this.config = config;
    }

    /** {@code publishedWithoutApproval}: a direct publish (detail method "publish"), not a release of a stage. */
    Firing publishedWithoutApproval(Tx tx, JdbiAlertStore.Event e) {
        String pkg = pkg(e);
        String version = e.entry().path("detail").path("version").asText();
        Map<String, Object> data = base(e, pkg);
        data.put("version", version);
        data.put("publishedBy", who(e.entry()));
        data.put("credential", identity(e.entry()));
        String release = pkg + "@" + version;
        return new Firing(
                "publishedWithoutApproval",
                release,
                e.target(),
                "alert",
                "error",
                "Published without approval: " + release,
                release + " was published directly by " + who(e.entry()) + " (" + identity(e.entry()) + ") at "
                        + Instant.ofEpochMilli(e.at()) + ", without a staged release approved by a maintainer.\n\n"
                        + "Its policy allowed it. If that was not intended, deprecate or unpublish the version,"
                        + " revoke the credential and turn staging on for the package. An administrator closes this"
                        + " alert with `./airlock alerts resolve ID`.",
                data,
                packages.approvers(tx, pkg));
    }

    /** Remembers who published a package directly (a credential seen, for {@code newPublisher}). */
    void learnPublisher(Tx tx, JdbiAlertStore.Event e) {
        store.addPublisher(tx, pkg(e), identity(e.entry()), e.at());
    }

    /**
     * {@code newPublisher}: a stage by a credential or CI identity not seen before for the package. A package's first
     * publisher is learned silently; so are those of packages the rule has not seen yet (e.g. after an upgrade).
     */
    Firing newPublisher(Tx tx, JdbiAlertStore.Event e) {
        String pkg = pkg(e);
        String id = identity(e.entry());
        boolean known = store.anyPublisher(tx, pkg);
        if (!store.addPublisher(tx, pkg, id, e.at()) || !known) {
            return null;
        }
        JsonNode detail = e.entry().path("detail");
        String release = pkg + "@" + detail.path("version").asText();
        Map<String, Object> data = base(e, pkg);
        data.put("version", detail.path("version").asText());
        data.put("stage", detail.path("stage").asText());
        data.put("credential", id);
        data.put("stagedBy", who(e.entry()));
        return new Firing(
                "newPublisher",
                pkg + " " + id,
                e.target(),
                "alert",
                "warning",
                "New publisher for " + pkg + ": " + id,
                release + " was staged by " + who(e.entry()) + " with " + id + ", which has never staged or"
                        + " published " + pkg + " before.\n\nIf you do not recognise it, reject the staged version"
                        + " in the console and revoke the credential.",
                data,
                packages.approvers(tx, pkg));
    }

    /** {@code policyWeakened}: staging off, mfa lowered, approvals reduced, a requirement removed; a bypass token. */
    Firing policyWeakened(Tx tx, JdbiAlertStore.Event e) {
        JsonNode detail = e.entry().path("detail");
        List<String> weakened = new ArrayList<>();
        List<String> to = new ArrayList<>(admins.get());
        if (e.action().equals("token.create")) {
            if (!detail.path("bypass2fa").asBoolean(false)) {
                return null;
            }
            weakened.add("a token that bypasses two-factor authentication was created for "
                    + detail.path("user").asText());
            if (!detail.path("user").asText().isEmpty()
                    && !to.contains(detail.path("user").asText())) {
                to.add(detail.path("user").asText());
            }
        } else {
            JsonNode old = detail.path("old");
            JsonNode now = detail.path("new");
            if (flag(old, "stagingRequired") && now.has("stagingRequired") && !flag(now, "stagingRequired")) {
                weakened.add("staging turned off");
            }
            if (now.hasNonNull("mfa")
                    && MFA_STRENGTH.indexOf(now.path("mfa").asText())
                            < MFA_STRENGTH.indexOf(old.path("mfa").asText("none"))) {
                weakened.add("mfa lowered from " + old.path("mfa").asText("none") + " to "
                        + now.path("mfa").asText());
            }
            int oldApprovals =
                    old.hasNonNull("approvals") ? old.path("approvals").asInt() : 1;
            if (now.hasNonNull("approvals") && now.path("approvals").asInt() < oldApprovals) {
                weakened.add("approvals reduced from " + oldApprovals + " to "
                        + now.path("approvals").asInt());
            }
            if (flag(old, "securityKeyApproval")
                    && now.has("securityKeyApproval")
                    && !flag(now, "securityKeyApproval")) {
                weakened.add("the security-key requirement for approval removed");
            }
            if (flag(old, "require2fa") && now.has("require2fa") && !flag(now, "require2fa")) {
                weakened.add("the two-factor requirement removed");
            }
            if (e.target().startsWith("package:")) {
                packages.approvers(tx, pkg(e)).stream()
                        .filter(u -> !to.contains(u))
                        .forEach(to::add);
            }
        }
        if (weakened.isEmpty()) {
            return null;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("action", e.action());
        data.put("by", who(e.entry()));
        data.put("weakened", weakened);
        data.put("event", e.entry().path("id").asText());
        return new Firing(
                "policyWeakened",
                e.entry().path("id").asText(),
                e.target(),
                "alert",
                "warning",
                "Security weakened on " + e.target() + ": " + weakened.get(0),
                who(e.entry()) + " weakened the protection of " + e.target() + " at " + Instant.ofEpochMilli(e.at())
                        + ":\n- " + String.join("\n- ", weakened) + "\n\nIf this was not intended, restore it and"
                        + " find out who holds the credential used.",
                data,
                to);
    }

    /** {@code newMaintainerApproval}: an approval by a maintainer (or org member) added less than N days before. */
    Firing newMaintainerApproval(Tx tx, JdbiAlertStore.Event e) {
        String user = e.entry().path("actor").path("user").asText();
        String pkg = pkg(e);
        long since =
                e.at() - Duration.ofDays(config.newMaintainerApproval().days()).toMillis();
        Long added = null;
        for (JsonNode owners : store.recent(tx, "package.owners", e.target(), since)) {
            for (JsonNode u : owners.path("detail").path("added")) {
                if (u.asText().equals(user)) {
                    added = owners.path("at").asLong();
                }
            }
        }
        if (pkg.startsWith("@")) {
            String org = "org:" + pkg.substring(1, pkg.indexOf('/'));
            for (JsonNode member : store.recent(tx, "org.member.set", org, since)) {
                if (member.path("detail").path("user").asText().equals(user)) {
                    added = member.path("at").asLong();
                }
            }
        }
        if (user.isEmpty() || added == null) {
            return null;
        }
        JsonNode detail = e.entry().path("detail");
        String release = pkg + "@" + detail.path("version").asText();
        Map<String, Object> data = base(e, pkg);
        data.put("version", detail.path("version").asText());
        data.put("stage", detail.path("stage").asText());
        data.put("approver", user);
        data.put("maintainerSince", Instant.ofEpochMilli(added).toString());
        return new Firing(
                "newMaintainerApproval",
                detail.path("stage").asText() + " " + user,
                e.target(),
                "alert",
                "warning",
                "Approval by a new maintainer: " + user + " approved " + release,
                user + " approved " + release + " at " + Instant.ofEpochMilli(e.at()) + ", having been made a"
                        + " maintainer at " + Instant.ofEpochMilli(added) + " (less than "
                        + config.newMaintainerApproval().days() + " days before).\n\nIf that was not expected,"
                        + " check who added them and review the release.",
                data,
                packages.approvers(tx, pkg));
    }

    private static boolean flag(JsonNode n, String field) {
        return n.path(field).asBoolean(false);
    }

    private static Map<String, Object> base(JdbiAlertStore.Event e, String pkg) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("package", pkg);
        data.put("event", e.entry().path("id").asText());
        return data;
    }

    private static String pkg(JdbiAlertStore.Event e) {
        return e.target().startsWith("package:") ? e.target().substring("package:".length()) : e.target();
    }

    private static String who(JsonNode entry) {
        JsonNode actor = entry.path("actor");
        if (actor.has("ci")) {
            return ciName(actor.path("ci"));
        }
        return actor.path("user").asText("anonymous");
    }

    /** The credential or CI identity an entry's actor used: a CI identity, a token's id, or the user. */
    static String identity(JsonNode entry) {
        JsonNode actor = entry.path("actor");
        if (actor.has("ci")) {
            JsonNode ci = actor.path("ci");
            return "ci " + ciName(ci)
                    + (ci.hasNonNull("workflow")
                            ? " workflow " + ci.path("workflow").asText()
                            : "");
        }
        String credential = actor.path("credential").asText();
        if (actor.has("token") && !credential.equals("session") && !credential.equals("password")) {
            return "token " + actor.path("token").path("id").asText();
        }
        return "user " + actor.path("user").asText("anonymous");
    }

    private static String ciName(JsonNode ci) {
        String issuer = ci.path("issuer").asText(ci.path("provider").asText(""));
        String where = ci.path("repository").asText(ci.path("project").asText(""));
        return (issuer + " " + where).trim();
    }
}
