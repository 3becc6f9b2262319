package dev.airlock.console.http;

import dev.airlock.console.ConsoleSession;
import dev.airlock.console.view.AccountPages;
import dev.airlock.console.view.KeyButton;
import dev.airlock.orgs.OrgRole;
import dev.airlock.orgs.OrgService;
import dev.airlock.policy.Action;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.tokens.Token;
import dev.airlock.tokens.TokenService;
import dev.airlock.twofactor.TwoFactorResets;
import dev.airlock.twofactor.TwoFactorService;
import dev.airlock.twofactor.TwoFactorStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the account, tokens and org pages show (their models), and the calls their forms make. */
public final class ConsolePages {
    private final TokenService tokens;
    private final TwoFactorService twoFactor;
    private final OrgService orgs;
    private final PolicyService policies;
    private final dev.airlock.accounts.UserService users;
    private final StepUp stepUp;
    private final TwoFactorResets resets;

    public ConsolePages(
            TokenService tokens,
            TwoFactorService twoFactor,
            OrgService orgs,
            PolicyService policies,
            dev.airlock.accounts.UserService users,
            TwoFactorResets resets) {
        this.resets = resets;
        this.users = users;
        this.stepUp = new StepUp(twoFactor);
        this.tokens = tokens;
        this.twoFactor = twoFactor;
        this.orgs = orgs;
        this.policies = policies;
    }

    /** Whether {@code user} is a registry administrator (the admin pages). */
    boolean admin(String user) {
        var u = users.find(user);
        return u != null && u.admin();
    }

    /** The account page: what protects the account, TOTP enrolment (the secret shown once, then a code), the keys. */
    AccountPages.Account account(ConsoleSession s, String secretUrl, List<String> recoveryCodes, String message) {
        Optional<TwoFactorStatus> status = twoFactor.totp().status(s.user());
        boolean app = status.map(TwoFactorStatus::enabled).orElse(false);
        var keys = twoFactor.keys().list(s.user());
        String words;
        if (app) {
            words = "on: authenticator app (" + status.get().mode() + ")"
                    + (keys.isEmpty() ? "" : " and " + keyCount(keys.size()));
        } else if (!keys.isEmpty()) {
            // a key-only account: the key guards sign-in and every write, which is what auth-and-writes means
            words = "on: " + keyCount(keys.size()) + " (asked at sign-in and for every write, like auth-and-writes)";
        } else {
            words = status.isPresent() ? "off (authenticator app set-up pending)" : "off";
        }
        AccountPages.Totp totp = null;
        if (recoveryCodes == null && secretUrl != null) {
            totp = new AccountPages.Totp(
                    secretUrl, secretUrl.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"), QrSvg.of(secretUrl));
        }
        boolean offerTotp = recoveryCodes == null && secretUrl == null && !app;
        KeyButton enrolKey = offerTotp && !keys.isEmpty()
                ? stepUp.key(s, "enrol-totp", "enrol-key", "Set up an authenticator app (confirm with your key)")
                : null;
        boolean otp = stepUp.showOtp(s.user());
        List<AccountPages.Key> rows = new ArrayList<>();
        for (var k : keys) {
            rows.add(new AccountPages.Key(
                    k,
                    stepUp.key(
                            s,
                            "remove-key:" + k.id(),
                            "remove-key-" + Integer.toHexString(k.id().hashCode()),
                            "Remove (confirm with a key)")));
        }
        KeyButton add = ConsoleWeb.key(
                twoFactor.keys().startRegistration(new Actor(s.user(), "session", null, null)),
                "add-key",
                "Add a security key or passkey",
                "create");
        return new AccountPages.Account(
                message,
                words,
                app || !keys.isEmpty(),
                recoveryCodes,
                totp,
                offerTotp,
                enrolKey,
                rows,
                otp,
                add,
                null,
                resets.pending(s.user()).orElse(null));
    }

    private static String keyCount(int n) {
        return n == 1 ? "1 security key" : n + " security keys";
    }

    /** The token a version was staged with: its name and whether it bypasses 2FA, or null. */
    String stagedWithToken(String user, String tokenKey) {
        if (tokenKey == null) {
            return null;
        }
        return tokens.list(user).stream()
                .filter(t -> t.key().equals(tokenKey))
                .findFirst()
                .map(t -> (t.name() == null || t.name().isBlank() ? t.kind() + " token" : "token \"" + t.name() + "\"")
                        + " " + t.display() + "…" + (t.bypass2fa() ? ", bypasses 2FA" : ", no 2FA bypass"))
                .orElse("a token that has since been revoked or has expired");
    }

    void requirePassword(Actor actor, String password) {
        users.requirePassword(actor, password == null ? "" : password);
    }

    Optional<String> enrolTotp(Actor actor, String mode) {
        return twoFactor.totp().enrol(actor, mode);
    }

    List<String> confirmTotp(Actor actor, String code) {
        return twoFactor.totp().confirm(actor, code == null ? "" : code.trim());
    }

    AccountPages.Tokens tokens(ConsoleSession s, String done) {
        List<AccountPages.TokenRow> rows = new ArrayList<>();
        for (Token t : tokens.list(s.user())) {
            String reaches = t.scope() == null
                    ? "all of your packages and orgs"
                    : (t.scope().allPackages()
                                    ? "all packages"
                                    : String.join(", ", t.scope().packages()) + " "
                                            + String.join(", ", t.scope().scopes()))
                            + " (" + t.scope().packagePermission() + ")";
            rows.add(new AccountPages.TokenRow(
                    t,
                    reaches,
                    stepUp.key(s, "revoke-token:" + t.key(), "revoke-key-" + t.display(), "Revoke with security key")));
        }
        return new AccountPages.Tokens(done, rows);
    }

    void revokeToken(Actor actor, String key) {
        policies.gate().authorise(actor, Action.REVOKE_TOKEN, null);
        tokens.revoke(actor, key);
    }

    AccountPages.Org org(Actor actor, ConsoleSession s, String org, String done) {
        Map<String, OrgRole> members = orgs.members(actor, org);
        Policy p = policies.ofOrg(actor, org);
        List<AccountPages.Member> list = new ArrayList<>();
        members.forEach((u, r) -> list.add(new AccountPages.Member(u, r.wire())));
        return new AccountPages.Org(
                org,
                done,
                list,
                p.approvals() == null ? "1" : String.valueOf(p.approvals()),
                Boolean.TRUE.equals(p.stagingRequired()),
                Boolean.TRUE.equals(p.require2fa()),
                Boolean.TRUE.equals(p.securityKeyApproval()),
                p.mfa() == null ? "none" : p.mfa(),
                List.of("none", "publish", "automation"),
                stepUp.key(s, "org-policy:" + org, "save-policy-key", "Save with security key"),
                members.get(s.user()) == OrgRole.OWNER
                        ? List.copyOf(resets.pendingOf(members.keySet()).values())
                        : List.of());
    }

    /** Cancels the pending second-factor reset of {@code user}: the user, or an owner of one of the user's orgs. */
    void cancelReset(Actor actor, String user) {
        resets.cancel(actor, user == null ? "" : user);
    }

    void setOrgPolicy(
            Actor actor,
            String org,
            String approvals,
            String stagingRequired,
            String require2fa,
            String mfa,
            String securityKeyApproval) {
        int n;
        try {
            n = Integer.parseInt(approvals == null ? "1" : approvals.trim());
        } catch (NumberFormatException e) {
            throw AirlockException.badRequest("Approvals must be a whole number from 1 to 10.");
        }
        policies.setOrg(
                actor,
                org,
                new Policy(
                        mfa,
                        "true".equals(stagingRequired),
                        n,
                        "true".equals(require2fa),
                        "true".equals(securityKeyApproval)));
    }
}
