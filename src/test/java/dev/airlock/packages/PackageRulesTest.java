package dev.airlock.packages;

import static dev.airlock.testing.Services.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.shared.Actor;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import dev.airlock.testing.Services;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packages feature's data rules against the real services on a temporary SQLite database: what a publish
 * writes, dist-tags, deprecation, unpublish (a number is never reused), ownership and access.
 */
class PackageRulesTest {
    static final PackageName WIDGET = PackageName.parse("widget");
    Services s;
    Actor alice;
    Actor bob;
    Actor anonymous = Actor.anonymous("127.0.0.1");
    Packages packages;

    @BeforeEach
    void setUp() {
        s = Services.start();
        alice = s.user("alice");
        bob = s.user("bob");
        packages = s.airlock.packageUseCases;
        s.publish(alice, "widget", "1.0.0");
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    JsonNode packument(Actor actor, PackageName name) {
        return s.airlock.packages.packument(actor, name, false);
    }

    @Test
    void aFirstPublishCreatesAPublicPackageMaintainedByThePublisher() {
        JsonNode doc = packument(anonymous, WIDGET);
        assertEquals("1.0.0", doc.path("dist-tags").path("latest").asText());
        assertEquals("alice", doc.path("maintainers").path(0).path("name").asText());
        JsonNode v = doc.path("versions").path("1.0.0");
        assertEquals("publish", v.path("airlock").path("method").asText());
        assertEquals("alice", v.path("airlock").path("publishedBy").asText());
        assertEquals("user", v.path("airlock").path("via").asText());
        assertTrue(v.path("dist").path("integrity").asText().startsWith("sha512-"));
        assertEquals(Map.of("alice", "alice@example.com"), packages.ownership().maintainers(anonymous, WIDGET));
        assertTrue(packages.ownership().isPublic(anonymous, WIDGET));
        assertEquals(
                1,
                s.airlock.packages.search(anonymous, List.of("widget"), 20, 0).size());
    }

    @Test
    void aPublishedNumberIsNeverPublishedOver() {
        fails(
                ErrorCode.CONFLICT,
                "You cannot publish over the previously published version widget@1.0.0. Bump the version"
                        + " number and publish again.",
                () -> s.publish(alice, "widget", "1.0.0"));
        fails(
                ErrorCode.FORBIDDEN,
                "You do not have permission to change \"widget\": you are not one of its maintainers. Ask a"
                        + " maintainer to run `npm owner add <you> widget`.",
                () -> s.publish(bob, "widget", "1.1.0"));
        fails(
                ErrorCode.FORBIDDEN,
                "The scope @other does not belong to you. Publish under @alice/ or ask an administrator to"
                        + " create the org \"other\".",
                () -> s.publish(alice, "@other/thing", "1.0.0"));
        s.publish(alice, "@alice/thing", "1.0.0");
        assertTrue(s.airlock.packages.isPublished(PackageName.parse("@alice/thing"), "1.0.0"));
    }

    @Test
    void distTagsPointAtPublishedVersionsAndLatestStays() {
        s.publish(alice, "widget", "1.1.0");
        for (String bad : List.of("1.0.0", "v1", "x", "1.x", "-beta", "")) {
            fails(
                    ErrorCode.BAD_REQUEST,
                    "Invalid dist-tag \"" + bad + "\": a tag starts with a letter and must not look like a"
                            + " version or range.",
                    () -> packages.distTags().setDistTag(alice, WIDGET, bad, "1.0.0"));
        }
        fails(
                ErrorCode.NOT_FOUND,
                "Version widget@9.9.9 does not exist; a tag must point at a published version.",
                () -> packages.distTags().setDistTag(alice, WIDGET, "beta", "9.9.9"));
        packages.distTags().setDistTag(alice, WIDGET, "beta", "1.0.0");
        assertEquals(Map.of("latest", "1.1.0", "beta", "1.0.0"), s.airlock.packages.distTags(anonymous, WIDGET));
        fails(
                ErrorCode.BAD_REQUEST,
                "The latest tag cannot be removed; point it at another version instead.",
                () -> packages.distTags().removeDistTag(alice, WIDGET, "latest"));
        fails(
                ErrorCode.NOT_FOUND,
                "Tag \"nope\" is not set on widget.",
                () -> packages.distTags().removeDistTag(alice, WIDGET, "nope"));
        fails(
                ErrorCode.FORBIDDEN,
                "You do not have permission to change \"widget\": you are not one of its maintainers. Ask a"
                        + " maintainer to run `npm owner add <you> widget`.",
                () -> packages.distTags().setDistTag(bob, WIDGET, "evil", "1.0.0"));
        packages.distTags().removeDistTag(alice, WIDGET, "beta");
        assertEquals(Map.of("latest", "1.1.0"), s.airlock.packages.distTags(anonymous, WIDGET));
        assertEquals(
                "1.1.0",
                packument(anonymous, WIDGET).path("dist-tags").path("latest").asText());
    }

    @Test
    void deprecationChangesOnlyMessagesOfPublishedVersions() {
        packages.deprecation().deprecate(alice, WIDGET, Map.of("1.0.0", "use 2.x"));
        assertEquals(
                "use 2.x",
                packument(anonymous, WIDGET)
                        .path("versions")
                        .path("1.0.0")
                        .path("deprecated")
                        .asText());
        packages.deprecation().deprecate(alice, WIDGET, Map.of("1.0.0", ""));
        assertFalse(packument(anonymous, WIDGET).path("versions").path("1.0.0").has("deprecated"));
        fails(
                ErrorCode.NOT_FOUND,
                "Version widget@9.9.9 does not exist.",
                () -> packages.deprecation().deprecate(alice, WIDGET, Map.of("9.9.9", "gone")));
        fails(
                ErrorCode.BAD_REQUEST,
                "A deprecation message may be at most 1024 characters.",
                () -> packages.deprecation().deprecate(alice, WIDGET, Map.of("1.0.0", "x".repeat(1025))));
        fails(
                ErrorCode.NOT_FOUND,
                "Package \"nothing-here\" not found.",
                () -> packages.deprecation().deprecate(alice, PackageName.parse("nothing-here"), Map.of("1.0.0", "x")));
    }

    @Test
    void anUnpublishedNumberIsNeverUsedAgainAndLatestMovesDown() {
        s.publish(alice, "widget", "1.1.0");
        s.publish(alice, "widget", "2.0.0");
        packages.distTags().setDistTag(alice, WIDGET, "next", "2.0.0");
        String rev = s.airlock.packages.rev(alice, WIDGET);
        assertEquals(
                List.of("2.0.0"), packages.unpublish().unpublishExcept(alice, WIDGET, rev, Set.of("1.0.0", "1.1.0")));
        assertEquals(Map.of("latest", "1.1.0"), s.airlock.packages.distTags(anonymous, WIDGET));
        assertFalse(s.airlock.packages.isPublished(WIDGET, "2.0.0"));
        fails(
                ErrorCode.CONFLICT,
                "Version widget@2.0.0 was unpublished and its number cannot be reused. Bump the version number.",
                () -> s.publish(alice, "widget", "2.0.0"));
        fails(
                ErrorCode.CONFLICT,
                "The package changed since you read it (revision " + rev + " is not current "
                        + s.airlock.packages.rev(alice, WIDGET) + "). Run the command again.",
                () -> packages.unpublish().unpublishExcept(alice, WIDGET, rev, Set.of("1.0.0")));
        fails(
                ErrorCode.NOT_FOUND,
                "Version widget@9.9.9 does not exist.",
                () -> packages.unpublish().unpublishVersion(alice, WIDGET, "9.9.9"));
        // the tarball DELETE npm sends after its PUT finds nothing left to change
        packages.unpublish().unpublishVersion(alice, WIDGET, "2.0.0");
        packages.unpublish().unpublishVersion(alice, WIDGET, "1.1.0");
        assertEquals(Map.of("latest", "1.0.0"), s.airlock.packages.distTags(anonymous, WIDGET));
    }

    /** npm asks --force to remove the last version; the registry then keeps the name for its maintainers. */
    @Test
    void unpublishingTheLastVersionRetiresThePackageButKeepsTheName() {
        packages.unpublish().unpublishExcept(alice, WIDGET, null, Set.of());
        fails(ErrorCode.NOT_FOUND, "Package \"widget\" not found.", () -> packument(anonymous, WIDGET));
        fails(
                ErrorCode.NOT_FOUND,
                "Package \"widget\" not found.",
                () -> packages.distTags().setDistTag(alice, WIDGET, "beta", "1.0.0"));
        fails(
                ErrorCode.FORBIDDEN,
                "You do not have permission to publish \"widget\".",
                () -> s.publish(bob, "widget", "5.0.0"));
        fails(
                ErrorCode.CONFLICT,
                "Version widget@1.0.0 was unpublished and its number cannot be reused. Bump the version number.",
                () -> s.publish(alice, "widget", "1.0.0"));
        s.publish(alice, "widget", "1.0.1");
        assertEquals(
                "1.0.1",
                packument(anonymous, WIDGET).path("dist-tags").path("latest").asText());
        packages.unpublish().unpublishAll(alice, WIDGET, null);
        fails(ErrorCode.NOT_FOUND, "Package \"widget\" not found.", () -> packument(anonymous, WIDGET));
        assertFalse(s.airlock.packages.isPublished(WIDGET, "1.0.1"));
    }

    @Test
    void ownersAreExistingUsersAndAtLeastOne() {
        fails(
                ErrorCode.BAD_REQUEST,
                "A package must keep at least one maintainer.",
                () -> packages.ownership().setMaintainers(alice, WIDGET, null, List.of()));
        fails(
                ErrorCode.NOT_FOUND,
                "User \"ghost\" not found.",
                () -> packages.ownership().setMaintainers(alice, WIDGET, null, List.of("alice", "ghost")));
        assertFalse(s.airlock.packages.canWrite(bob, WIDGET));
        packages.ownership().setMaintainers(alice, WIDGET, null, List.of("alice", "bob"));
        assertTrue(s.airlock.packages.canWrite(bob, WIDGET));
        assertEquals(
                Map.of("alice", "write", "bob", "write"),
                packages.ownership().collaborators(alice, WIDGET, s.airlock.orgs));
        packages.ownership().setMaintainers(bob, WIDGET, null, List.of("bob"));
        assertFalse(s.airlock.packages.canWrite(alice, WIDGET));
        assertFalse(s.airlock.packages.isHumanMaintainer("alice", WIDGET));
        assertEquals(
                List.of("bob"),
                List.copyOf(packument(anonymous, WIDGET).path("maintainers").findValuesAsText("name")));
    }

    @Test
    void restrictedPackagesAreInvisibleToThoseWithoutAccess() {
        PackageName secret = PackageName.parse("@alice/secret");
        s.publish(alice, "@alice/secret", "1.0.0");
        fails(
                ErrorCode.BAD_REQUEST,
                "access must be \"public\" or \"restricted\".",
                () -> packages.ownership().setAccess(alice, secret, "private"));
        fails(
                ErrorCode.BAD_REQUEST,
                "Unscoped packages are always public.",
                () -> packages.ownership().setAccess(alice, WIDGET, "restricted"));
        packages.ownership().setAccess(alice, secret, "restricted");
        assertFalse(packages.ownership().isPublic(alice, secret));
        fails(ErrorCode.NOT_FOUND, "Package \"@alice/secret\" not found.", () -> packument(anonymous, secret));
        fails(ErrorCode.NOT_FOUND, "Package \"@alice/secret\" not found.", () -> packument(bob, secret));
        fails(
                ErrorCode.NOT_FOUND,
                "Tarball not found: @alice/secret@1.0.0",
                () -> s.airlock.packages.tarball(bob, secret, "1.0.0"));
        assertEquals(PackageService.Visibility.HIDDEN, s.airlock.packages.visibility(bob, secret));
        assertEquals(PackageService.Visibility.VISIBLE, s.airlock.packages.visibility(alice, secret));
        assertEquals(
                "1.0.0",
                packument(alice, secret).path("dist-tags").path("latest").asText());
        assertEquals(0, s.airlock.packages.search(bob, List.of("secret"), 20, 0).size());
        packages.ownership().setMaintainers(alice, secret, null, List.of("alice", "bob"));
        assertEquals(
                "1.0.0", packument(bob, secret).path("dist-tags").path("latest").asText());
    }
}
