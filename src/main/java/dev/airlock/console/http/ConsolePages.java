package dev.airlock.console.http;

import dev.airlock.console.ConsoleSession;
import dev.airlock.orgs.OrgRole;
import dev.airlock.orgs.OrgService;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.tokens.Token;
import dev.airlock.tokens.TokenService;
import dev.airlock.twofactor.TwoFactorService;
import java.time.Instant;
import java.util.Map;

/** Console pages for the account's tokens and for an org's members and policies. */
public final class ConsolePages {
    private final TokenService tokens;
    private final TwoFactorService twoFactor;
    private final OrgService orgs;
    private final PolicyService policies;
    private final dev.airlock.accounts.UserService users;
    private final StepUp stepUp;

    public ConsolePages(TokenService tokens, TwoFactorService twoFactor, OrgService orgs, PolicyService policies,
                        dev.airlock.accounts.UserService users) {
        this.users = users;
        this.stepUp = new StepUp(twoFactor);
        this.tokens = tokens;
        this.twoFactor = twoFactor;
        this.orgs = orgs;
        this.policies = policies;
    }

    /** The account page: two-factor status, and TOTP enrolment (the secret is shown once, then a code confirms it). */
    String account(ConsoleSession s, String secretUrl, java.util.List<String> recoveryCodes, String message) {
        var status = twoFactor.status(s.user());
        StringBuilder b = new StringBuilder("<h1>Your account</h1>");
        if (message != null) {
            b.append("<p class=\"ok\" id=\"done\">").append(Html.esc(message)).append("</p>");
        }
        b.append("<p id=\"tfa-status\">Two-factor authentication: ").append(status.map(t -> t.pending() ? "set-up pending"
                : Html.esc(t.mode())).orElse("off")).append("</p>");
        if (recoveryCodes != null) {
            b.append("<h2>Recovery codes</h2><p>Each works once in place of a code. They are shown only now: keep them safe.</p><ul id=\"recovery\">");
            recoveryCodes.forEach(c -> b.append("<li><code>").append(Html.esc(c)).append("</code></li>"));
            b.append("</ul>");
        } else if (secretUrl != null) {
            String secret = secretUrl.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1");
            b.append("<h2>Add Airlock to your authenticator app</h2><p>Scan this code with the app:</p><p>")
                    .append(QrSvg.svg("totp-qr", secretUrl, "QR code of the authenticator key")).append("</p>")
                    .append("<p>or enter this key: <code id=\"totp-secret\">").append(Html.esc(secret))
                    .append("</code></p><p>or open <code id=\"totp-url\">").append(Html.esc(secretUrl)).append("</code></p>")
                    .append("<form method=\"post\" action=\"/-/console/account/totp/confirm\"><input type=\"hidden\" name=\"csrf\" value=\"")
                    .append(Html.esc(s.csrf())).append("\"><label>The first code it shows <input name=\"otp\" id=\"confirm-otp\" inputmode=\"numeric\"></label>")
                    .append("<button type=\"submit\" id=\"confirm\">Turn on</button></form>");
        } else if (status.isEmpty() || status.get().pending()) {
            b.append("<form method=\"post\" action=\"/-/console/account/totp\"><input type=\"hidden\" name=\"csrf\" value=\"")
                    .append(Html.esc(s.csrf())).append("\"><label>Password <input name=\"password\" id=\"tfa-password\" type=\"password\"></label>")
                    .append("<label>Mode <select name=\"mode\" id=\"tfa-mode\"><option>auth-and-writes</option><option>auth-only</option></select></label>")
                    .append(stepUp.hasKey(s.user()) ? stepUp.keyButton(s, "enrol-totp", "enrol-key", "Set up an authenticator app (confirm with"
                            + " your key)") : "<button type=\"submit\" id=\"enrol\">Set up an authenticator app</button>").append("</form>");
        }
        b.append(keys(s));
        return Html.page("Account", s.user(), s.csrf(), b.toString());
    }

    /** Security keys and passkeys: the list (each removable with a fresh factor) and a form to add one. */
    private String keys(ConsoleSession s) {
        StringBuilder b = new StringBuilder("<h2>Security keys and passkeys</h2>");
        var keys = twoFactor.keys().list(s.user());
        if (keys.isEmpty()) {
            b.append("<p id=\"no-keys\">No security key yet. A key cannot be phished: it signs only for this site.</p>");
        } else {
            boolean otp = stepUp.showOtp(s.user());
            b.append("<table id=\"keys\"><tr><th>Name</th><th>Added</th><th>Last used</th><th></th></tr>");
            for (var k : keys) {
                b.append("<tr><td class=\"key-name\">").append(Html.esc(k.nickname())).append("</td><td>").append(Html.esc(Instant.ofEpochMilli(k.createdAt())))
                        .append("</td><td>").append(k.lastUsedAt() == null ? "never" : Html.esc(Instant.ofEpochMilli(k.lastUsedAt())))
                        .append("</td><td><form method=\"post\" action=\"/-/console/account/keys/remove\"><input type=\"hidden\" name=\"csrf\" value=\"")
                        .append(Html.esc(s.csrf())).append("\"><input type=\"hidden\" name=\"id\" value=\"").append(Html.esc(k.id())).append("\">");
                if (otp) {
                    b.append("<input name=\"otp\" placeholder=\"one-time password\" inputmode=\"numeric\" class=\"otp\">")
                            .append("<button type=\"submit\" class=\"remove-key\">Remove</button> ");
                }
                b.append(stepUp.keyButton(s, "remove-key:" + k.id(), "remove-key-" + k.nickname().hashCode(), "Remove (confirm with a key)"))
                        .append("</form></td></tr>");
            }
            b.append("</table>");
        }
        b.append("<form method=\"post\" action=\"/-/console/account/keys\" id=\"add-key-form\"><input type=\"hidden\" name=\"csrf\" value=\"")
                .append(Html.esc(s.csrf())).append("\"><label>Name <input name=\"name\" id=\"key-name\" maxlength=\"60\" value=\"Security key\"></label>")
                .append("<label>Password <input name=\"password\" id=\"key-password\" type=\"password\" autocomplete=\"current-password\"></label>")
                .append(StepUp.keyFields(twoFactor.startKeyRegistration(new Actor(s.user(), "session", null, null)), "add-key",
                        "Add a security key or passkey", "create"))
                .append("</form>");
        return b.toString();
    }

    /** The token a version was staged with: its name and whether it bypasses 2FA (escaped), or null. */
    String stagedWithToken(String user, String tokenKey) {
        if (tokenKey == null) {
            return null;
        }
        return tokens.list(user).stream().filter(t -> t.key().equals(tokenKey)).findFirst()
                .map(t -> Html.esc((t.name() == null || t.name().isBlank() ? t.kind() + " token" : "token \"" + t.name() + "\"")
                        + " " + t.display() + "…" + (t.bypass2fa() ? ", bypasses 2FA" : ", no 2FA bypass")))
                .orElse("a token that has since been revoked or has expired");
    }

    void requirePassword(Actor actor, String password) {
        users.requirePassword(actor, password == null ? "" : password);
    }

    java.util.Optional<String> enrolTotp(Actor actor, String mode) {
        return twoFactor.enrol(actor, mode);
    }

    java.util.List<String> confirmTotp(Actor actor, String code) {
        return twoFactor.confirm(actor, code == null ? "" : code.trim());
    }

    String tokens(ConsoleSession s, String done) {
        StringBuilder b = new StringBuilder("<h1>Your tokens</h1>");
        if (done != null) {
            b.append("<p class=\"ok\" id=\"done\">Token revoked.</p>");
        }
        b.append("<table id=\"tokens\"><tr><th>Token</th><th>Name</th><th>Kind</th><th>Bypasses 2FA</th><th>Reaches</th><th>Created</th>"
                + "<th>Last used</th><th>Expires</th><th></th></tr>");
        for (Token t : tokens.list(s.user())) {
            String reaches = t.scope() == null ? "all of your packages and orgs"
                    : (t.scope().allPackages() ? "all packages" : String.join(", ", t.scope().packages()) + " " + String.join(", ", t.scope().scopes()))
                    + " (" + t.scope().packagePermission() + ")";
            b.append("<tr><td><code>").append(Html.esc(t.display())).append("…</code></td><td>").append(Html.esc(t.name()))
                    .append("</td><td>").append(Html.esc(t.kind())).append("</td><td>").append(t.bypass2fa() ? "yes" : "no")
                    .append("</td><td>").append(Html.esc(reaches)).append("</td><td>").append(Html.esc(Instant.ofEpochMilli(t.createdAt())))
                    .append("</td><td>").append(t.lastUsedAt() == null ? "never" : Html.esc(Instant.ofEpochMilli(t.lastUsedAt()) + " from "
                            + t.lastUsedFrom())).append("</td><td>").append(t.expiresAt() == null ? "never" : Html.esc(Instant.ofEpochMilli(t.expiresAt())))
                    .append("</td><td><form method=\"post\" action=\"/-/console/tokens/").append(Html.esc(t.key()))
                    .append("/revoke\"><input type=\"hidden\" name=\"csrf\" value=\"").append(Html.esc(s.csrf()))
                    .append("\"><input name=\"otp\" placeholder=\"one-time password\" inputmode=\"numeric\" class=\"otp\">")
                    .append("<button type=\"submit\" class=\"revoke\" data-key=\"").append(Html.esc(t.display())).append("\">Revoke</button> ")
                    .append(stepUp.keyButton(s, "revoke-token:" + t.key(), "revoke-key-" + t.display(), "Revoke with security key"))
                    .append("</form></td></tr>");
        }
        b.append("</table>");
        return Html.page("Tokens", s.user(), s.csrf(), b.toString());
    }

    void revokeToken(Actor actor, String key) {
        twoFactor.requireForWrite(actor);
        tokens.revoke(actor, key);
    }

    String org(Actor actor, ConsoleSession s, String org, String done) {
        Map<String, OrgRole> members = orgs.members(actor, org);
        Policy p = policies.ofOrg(actor, org);
        StringBuilder b = new StringBuilder("<h1>Org ").append(Html.esc(org)).append("</h1>");
        if (done != null) {
            b.append("<p class=\"ok\" id=\"done\">Policy saved.</p>");
        }
        b.append("<h2>Members</h2><table id=\"members\">");
        members.forEach((u, r) -> b.append("<tr><td>").append(Html.esc(u)).append("</td><td>").append(Html.esc(r.wire())).append("</td></tr>"));
        b.append("</table><h2>Policy</h2><form method=\"post\" action=\"/-/console/orgs/").append(Html.esc(org))
                .append("/policy\" id=\"policy\"><input type=\"hidden\" name=\"csrf\" value=\"").append(Html.esc(s.csrf())).append("\">")
                .append("<label>Approvals needed for a staged version <input name=\"approvals\" id=\"approvals\" value=\"")
                .append(p.approvals() == null ? "1" : p.approvals()).append("\"></label>")
                .append(checkbox("stagingRequired", "Staging required (no direct npm publish)", p.stagingRequired()))
                .append(checkbox("require2fa", "Members need two-factor authentication", p.require2fa()))
                .append(checkbox("securityKeyApproval", "Approving a staged version requires a security key", p.securityKeyApproval()))
                .append("<label>npm mfa setting <select name=\"mfa\" id=\"mfa\">");
        for (String m : new String[] {"none", "publish", "automation"}) {
            b.append("<option").append(m.equals(p.mfa() == null ? "none" : p.mfa()) ? " selected" : "").append(">").append(m).append("</option>");
        }
        b.append("</select></label><label>One-time password <input name=\"otp\" id=\"policy-otp\" inputmode=\"numeric\"></label>")
                .append("<button type=\"submit\" id=\"save-policy\">Save</button> ")
                .append(stepUp.keyButton(s, "org-policy:" + org, "save-policy-key", "Save with security key")).append("</form>");
        return Html.page("Org " + org, s.user(), s.csrf(), b.toString());
    }

    static String checkbox(String name, String label, Boolean value) {
        return "<label><input type=\"checkbox\" name=\"" + name + "\" id=\"" + name + "\" value=\"true\"" + (Boolean.TRUE.equals(value)
                ? " checked" : "") + "> " + Html.esc(label) + "</label>";
    }

    void setOrgPolicy(Actor actor, String org, String approvals, String stagingRequired, String require2fa, String mfa,
                      String securityKeyApproval) {
        int n;
        try {
            n = Integer.parseInt(approvals == null ? "1" : approvals.trim());
        } catch (NumberFormatException e) {
            throw AirlockException.badRequest("Approvals must be a whole number from 1 to 10.");
        }
        policies.setOrg(actor, org, new Policy(mfa, "true".equals(stagingRequired), n, "true".equals(require2fa),
                "true".equals(securityKeyApproval)));
    }
}
