package dev.airlock.adoption;

import dev.airlock.orgs.OrgRole;
import dev.airlock.orgs.OrgService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import dev.airlock.policy.EffectivePolicy;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.twofactor.TwoFactorService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The adoption report (docs/adoption.md) of an org — for its owners and admins — or of every org and the users and
 * packages outside them (the operator), and the org-wide "require 2FA and staging" action with its preview. The
 * action changes the org's policy through {@link PolicyService#setOrg} only: the gate, the audit log and every
 * check on policy changes apply as to any other org policy change.
 */
public final class AdoptionService {
    /** How far back "releases published without approval" looks. */
    public static final Duration RECENT = Duration.ofDays(30);

    private final Database db;
    private final OrgService orgs;
    private final PolicyService policies;
    private final TwoFactorService twoFactor;
    private final Clock clock;

    public AdoptionService(
            Database db, OrgService orgs, PolicyService policies, TwoFactorService twoFactor, Clock clock) {
        this.db = db;
        this.orgs = orgs;
        this.policies = policies;
        this.twoFactor = twoFactor;
        this.clock = clock;
    }

    /** One org's report: its owners and admins (and the operator); everyone else is told it does not exist. */
    public AdoptionReport report(Actor actor, String orgName) {
        String org = OrgService.validName(orgName, "org");
        return db.read(tx -> {
            requireOwnerOrAdmin(tx, actor, org);
            return section(tx, org);
        });
    }

    /** Every org's report, then the users and packages outside every org: the operator's view. */
    public List<AdoptionReport> all(Actor actor) {
        if (!actor.isOperator()) {
            throw AirlockException.forbidden("Only the operator can report on every org.");
        }
        return db.read(tx -> {
            List<AdoptionReport> out = new ArrayList<>();
            for (String org : JdbiAdoptionQueries.orgs(tx)) {
                out.add(section(tx, org));
            }
            out.add(section(tx, null));
            return out;
        });
    }

    /** May the actor open the org's report (the console shows the page only then)? */
    public boolean mayView(Actor actor, String org) {
        return db.read(tx -> {
            try {
                requireOwnerOrAdmin(tx, actor, org);
                return true;
            } catch (AirlockException e) {
                return false;
            }
        });
    }

    /** Is the actor an owner of the org (only owners change its policies)? */
    public boolean isOwner(Actor actor, String org) {
        return actor.isOperator() || db.read(tx -> orgs.role(tx, org, actor.user()) == OrgRole.OWNER);
    }

    /** Who and what "require 2FA and staging org-wide" would affect, before an owner confirms it. */
    public OrgWide.Preview preview(Actor actor, String orgName) {
        String org = OrgService.validName(orgName, "org");
        return db.read(tx -> {
            requireOwnerOrAdmin(tx, actor, org);
            return OrgWide.preview(tx, org, section(tx, org), policies);
        });
    }

    /**
     * Requires two-factor authentication for members and staging for packages, org-wide, in one org policy change
     * (owners only, with the fresh factor the actor presents, audited as {@code policy.set}).
     */
    public void requireTwoFactorAndStaging(Actor actor, String orgName) {
        policies.setOrg(actor, orgName, OrgWide.CHANGE);
    }

    private void requireOwnerOrAdmin(Tx tx, Actor actor, String org) {
        if (actor.isOperator() && orgs.exists(tx, org)) {
            return;
        }
        OrgRole role = actor.authenticated() ? orgs.role(tx, org, actor.user()) : null;
        if (role != OrgRole.OWNER && role != OrgRole.ADMIN) {
            throw AirlockException.notFound(
                    "Org \"" + org + "\" not found (or you are not one of its owners or" + " admins).");
        }
    }

    private AdoptionReport section(Tx tx, String org) {
        long now = clock.millis();
        List<AdoptionReport.Member> members = new ArrayList<>();
        Map<String, String> roles = org == null ? null : JdbiAdoptionQueries.members(tx, org);
        List<String> users = org == null ? JdbiAdoptionQueries.usersWithoutOrg(tx) : List.copyOf(roles.keySet());
        for (String user : users) {
            boolean totp = twoFactor.totp().status(user).map(s -> s.enabled()).orElse(false);
            int keys = twoFactor.keys().list(user).size();
            String kind = keys > 0
                    ? AdoptionReport.Member.SECURITY_KEY
                    : totp ? AdoptionReport.Member.TOTP_ONLY : AdoptionReport.Member.NONE;
            members.add(new AdoptionReport.Member(
                    user, roles == null ? null : roles.get(user).toLowerCase(java.util.Locale.ROOT), kind, totp, keys));
        }
        List<String> names = JdbiAdoptionQueries.packages(tx, org);
        List<AdoptionReport.PackageRow> packages = new ArrayList<>();
        for (String name : names) {
            PackageName pn = PackageName.parse(name);
            EffectivePolicy e = policies.effective(tx, pn);
            Policy own = policies.ofPackage(tx, pn);
            String setBy = own.stagingRequired() != null
                    ? "package"
                    : policies.inherited(tx, pn).stagingRequired() != null ? "org" : "default";
            packages.add(new AdoptionReport.PackageRow(
                    name, e.stagingRequired(), setBy, e.mfa(), JdbiAdoptionQueries.trustedPublisher(tx, name)));
        }
        List<AdoptionReport.BypassToken> tokens = JdbiAdoptionQueries.bypassTokens(tx, users, now).stream()
                .map(t -> new AdoptionReport.BypassToken(
                        t.user(),
                        t.name(),
                        Actor.tokenId(t.key()),
                        t.readonly(),
                        iso(t.created()),
                        iso(t.expires()),
                        iso(t.lastUsed()),
                        t.lastUsedFrom()))
                .toList();
        List<AdoptionReport.Release> releases = new ArrayList<>();
        for (JdbiAdoptionQueries.VersionRow v :
                JdbiAdoptionQueries.publishedSince(tx, names, now - RECENT.toMillis())) {
            var how = v.authorisation() == null ? null : Json.parse(v.authorisation());
            // "publish": npm publish straight in; "staged": approved by maintainers; "import": brought in by the
            // operator (airlock import), not a release by anyone
            if (how != null && "publish".equals(how.path("method").asText())) {
                releases.add(new AdoptionReport.Release(
                        v.pkg(),
                        v.version(),
                        iso(v.publishedAt()),
                        v.publishedBy(),
                        how.path("via").asText(null),
                        how.path("bypass2fa").asBoolean(false)));
            }
        }
        AdoptionReport.Summary summary = new AdoptionReport.Summary(
                members.size(),
                count(members, AdoptionReport.Member.NONE),
                count(members, AdoptionReport.Member.TOTP_ONLY),
                count(members, AdoptionReport.Member.SECURITY_KEY),
                packages.size(),
                (int) packages.stream().filter(p -> !p.stagingRequired()).count(),
                tokens.size(),
                (int) packages.stream()
                        .filter(p -> p.trustedPublisher() != null)
                        .count(),
                releases.size());
        return new AdoptionReport(
                org, iso(now), summary, List.copyOf(members), List.copyOf(packages), tokens, List.copyOf(releases));
    }

    private static int count(List<AdoptionReport.Member> members, String kind) {
        return (int) members.stream().filter(m -> m.twoFactor().equals(kind)).count();
    }

    static String iso(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }
}
