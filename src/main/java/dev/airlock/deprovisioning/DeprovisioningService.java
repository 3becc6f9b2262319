package dev.airlock.deprovisioning;

import dev.airlock.accounts.UserService;
import dev.airlock.audit.AuditService;
import dev.airlock.console.ConsoleService;
import dev.airlock.console.WebLoginService;
import dev.airlock.orgs.GroupSync;
import dev.airlock.orgs.OrgService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.tokens.TokenService;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Someone leaves: their account is deactivated and loses every way in at once (docs/deprovisioning.md). One use case
 * shared by the command line ({@code ./airlock user deactivate}) and SCIM ({@code active: false}).
 */
public final class DeprovisioningService {
    private final Database db;
    private final UserService users;
    private final TokenService tokens;
    private final ConsoleService console;
    private final WebLoginService webLogins;
    private final OrgService orgs;
    private final GroupSync groupSync;
    private final AuditService audit;
    private final Clock clock;

    public DeprovisioningService(
            Database db,
            UserService users,
            TokenService tokens,
            ConsoleService console,
            WebLoginService webLogins,
            OrgService orgs,
            GroupSync groupSync,
            AuditService audit,
            Clock clock) {
        this.db = db;
        this.users = users;
        this.tokens = tokens;
        this.console = console;
        this.webLogins = webLogins;
        this.orgs = orgs;
        this.groupSync = groupSync;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * What a deactivation did: tokens revoked, console sessions ended, orgs left, orgs now without an owner (empty
     * when it was deactivated already: nothing is done twice).
     */
    public record Deactivated(
            String user, boolean already, int tokens, int sessions, List<String> orgs, List<String> ownerless) {}

    /**
     * In one transaction: marks the account deactivated, revokes every token (npm, granular, login sessions), ends
     * console sessions and uncollected web logins, removes it from every team and org (each audited as the npm
     * command would be) and forgets its identity-provider groups; one {@code user.deactivate} event. Published
     * versions and the audit history stay.
     */
    public Deactivated deactivate(Actor actor, String user) {
        return db.write(tx -> deactivate(tx, actor, user));
    }

    /** As {@link #deactivate(Actor, String)} in the caller's transaction (SCIM's PATCH/PUT with other changes). */
    public Deactivated deactivate(Tx tx, Actor actor, String user) {
        requireUser(tx, user);
        if (users.deactivatedAt(tx, user) != null) {
            return new Deactivated(user, true, 0, 0, List.of(), List.of());
        }
        users.setDeactivated(tx, user, clock.millis());
        int revoked = tokens.revokeAllOf(tx, actor, user, "deactivated");
        int sessions = console.endSessionsOf(tx, user);
        webLogins.dropFor(tx, user);
        List<String> left = orgs.orgsOf(tx, user);
        List<String> ownerless = orgs.removeFromAll(tx, actor, user);
        groupSync.forget(tx, user);
        audit.record(
                tx,
                actor,
                "user.deactivate",
                "user:" + user,
                Map.of("tokens", revoked, "sessions", sessions, "orgs", left, "ownerless", ownerless));
        return new Deactivated(user, false, revoked, sessions, left, ownerless);
    }

    /**
     * Lets the account sign in again. Nothing comes back by itself: tokens stay revoked, and memberships are
     * granted again by the next group sync or by hand.
     */
    public boolean reactivate(Actor actor, String user) {
        return db.write(tx -> reactivate(tx, actor, user));
    }

    /** As {@link #reactivate(Actor, String)} in the caller's transaction; false when it was active already. */
    public boolean reactivate(Tx tx, Actor actor, String user) {
        requireUser(tx, user);
        if (users.deactivatedAt(tx, user) == null) {
            return false;
        }
        users.setDeactivated(tx, user, null);
        audit.record(tx, actor, "user.reactivate", "user:" + user, Map.of());
        return true;
    }

    private void requireUser(Tx tx, String user) {
        if (user == null || users.find(tx, user) == null) {
            throw AirlockException.notFound("No user \"" + user + "\".");
        }
    }
}
