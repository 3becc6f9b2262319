package dev.airlock.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.BodyTree;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.staging.Stage;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Services;
import dev.airlock.testing.Tarballs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packuments kept in parts and assembled on read equal, byte for byte, what {@link PackumentBuilder#build} makes
 * from every row at once, after each kind of change (publish with and without the latest tag, prereleases, approval,
 * deprecation, dist-tags, maintainers, access, unpublish, a rebuild for a new public URL) — and each change is seen on
 * the next read although the previous document was held in memory. Real services on a temporary SQLite database.
 */
class PackumentPartsTest {
    static final PackageName BIG = PackageName.parse("@alice/big");
    Services s;
    Actor alice;
    Authenticator aliceApp;
    PackageService reads;

    @BeforeEach
    void setUp() {
        s = Services.start();
        alice = s.user("alice");
        s.user("bob");
        aliceApp = s.enableTotp("alice", "auth-only");
        reads = s.airlock.packages;
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    void publish(String version, String tag, String description) {
        ObjectNode m = Tarballs.manifest(BIG.toString(), version);
        m.put("description", description);
        m.putArray("keywords").add("k" + version.charAt(0)).add("big");
        m.putObject("repository").put("type", "git").put("url", "git+https://example.com/big.git");
        m.putObject("dependencies").put("left-pad", "^1.0.0");
        m.put("readme", "# big " + version + " \u00e9\u2713");
        m.put("readmeFilename", "README.md");
        s.clock.advance(Duration.ofSeconds(1));
        s.airlock.publish.publish(alice, BIG, read(Tarballs.publishBody(m, Tarballs.packageTgz(m), tag)));
    }

    static JsonNode read(ObjectNode body) {
        try {
            return BodyTree.read(new ByteArrayInputStream(Json.write(body).getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Both forms as served (held in memory, identity and gzip) equal a full rebuild from the rows. */
    void assertSameAsFullRebuild() {
        PackumentBuilder.Built built = s.airlock.db.read(tx -> {
            JdbiPackageStore store = new JdbiPackageStore();
            PackageRecord pkg = store.find(tx, BIG.toString());
            return PackumentBuilder.build(
                    reads.base(),
                    pkg,
                    store.versions(tx, pkg.name()),
                    store.tags(tx, pkg.name()),
                    store.maintainers(tx, pkg.name()));
        });
        for (int pass = 0; pass < 2; pass++) { // assembled, then from memory
            assertEquals(built.full().json(), text(reads.served(alice, BIG, false, false)));
            assertEquals(built.abbreviated().json(), text(reads.served(alice, BIG, true, false)));
            assertEquals(built.full().json(), gunzip(reads.served(alice, BIG, false, true)));
            assertEquals(built.abbreviated().json(), gunzip(reads.served(alice, BIG, true, true)));
            assertEquals(built.rev(), reads.rev(alice, BIG));
        }
    }

    static String text(PackageService.ServedDocument d) {
        assertEquals(false, d.gzip());
        return new String(d.body(), StandardCharsets.UTF_8);
    }

    static String gunzip(PackageService.ServedDocument d) {
        assertEquals(true, d.gzip());
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(d.body()))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void hundredsOfVersionsAssembleToTheFullRebuildAfterEveryKindOfChange() {
        for (int i = 0; i < 240; i++) {
            publish("1." + i + ".0", "latest", "big, version " + i);
            if (i % 60 == 0) {
                assertSameAsFullRebuild();
            }
        }
        // a release line published under another tag leaves latest and the top-level fields alone
        publish("0.9.9", "legacy", "old line");
        publish("2.0.0-rc.1", "next", "the next one");
        assertSameAsFullRebuild();
        String etag = reads.served(alice, BIG, false, false).etag();
        String corgiEtag = reads.served(alice, BIG, true, false).etag();
        assertNotEquals(etag, corgiEtag);

        // approval of a staged version: invisible while staged, published with its fragment on approval
        Stage st = s.stage(alice, BIG.toString(), "1.240.0");
        assertEquals(false, text(reads.served(alice, BIG, false, false)).contains("\"1.240.0\""));
        assertSameAsFullRebuild();
        s.clock.advance(Duration.ofSeconds(1));
        s.airlock.staging.approve(alice.withOtp(aliceApp.next()), st.id());
        assertEquals(true, text(reads.served(alice, BIG, true, false)).contains("\"1.240.0\""));
        assertSameAsFullRebuild();
        assertNotEquals(etag, reads.served(alice, BIG, false, false).etag());

        Packages p = s.airlock.packageUseCases;
        p.deprecation().deprecate(alice, BIG, Map.of("1.3.0", "use 2", "1.240.0", "not this one"));
        assertSameAsFullRebuild();
        p.deprecation().deprecate(alice, BIG, Map.of("1.3.0", ""));
        assertSameAsFullRebuild();
        p.distTags().setDistTag(alice, BIG, "latest", "1.100.0");
        assertSameAsFullRebuild();
        p.distTags().setDistTag(alice, BIG, "beta", "2.0.0-rc.1");
        p.distTags().removeDistTag(alice, BIG, "legacy");
        assertSameAsFullRebuild();
        p.ownership().setMaintainers(alice, BIG, null, List.of("alice", "bob"));
        assertSameAsFullRebuild();
        p.ownership().setAccess(alice, BIG, "restricted");
        assertSameAsFullRebuild();
        p.unpublish().unpublishVersion(alice, BIG, "1.100.0"); // latest moves to the highest left
        assertSameAsFullRebuild();
        assertEquals(1, p.versions().rebuildAll());
        assertSameAsFullRebuild();
    }

    @Test
    void withoutALatestTagTheHighestPublishedVersionIsFoundIncrementally() {
        publish("1.0.0", "beta", "first");
        assertSameAsFullRebuild();
        publish("3.0.0", "beta", "third");
        publish("2.0.0", "beta", "second");
        assertSameAsFullRebuild();
        assertEquals(
                "third",
                Json.parse(reads.served(alice, BIG, false, false).body())
                        .path("description")
                        .asText());
    }

    @Test
    void aRestrictedPackageHeldInMemoryForItsOwnerStaysHiddenFromOthers() {
        publish("1.0.0", "latest", "secret");
        s.airlock.packageUseCases.ownership().setAccess(alice, BIG, "restricted");
        reads.served(alice, BIG, false, true); // assembled and kept
        reads.served(alice, BIG, false, true); // from memory
        Actor bob = Services.session("bob");
        for (Actor other : List.of(bob, Actor.anonymous("127.0.0.1"))) {
            for (boolean abbreviated : new boolean[] {false, true}) {
                AirlockException e =
                        assertThrows(AirlockException.class, () -> reads.served(other, BIG, abbreviated, false));
                assertEquals(dev.airlock.shared.ErrorCode.NOT_FOUND, e.code());
            }
        }
        s.airlock.packageUseCases.unpublish().unpublishAll(alice, BIG, null);
        assertThrows(AirlockException.class, () -> reads.served(alice, BIG, false, false));
    }
}
