package dev.airlock.audit.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.MerkleTree;
import dev.airlock.orgs.OrgRole;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import dev.airlock.testing.Http;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /-/airlock/v1/audit on a real server: each role sees exactly its events (admin all; an org's owner the org's
 * packages and the org; a maintainer their packages; anyone else nothing, and a 404 for a restricted package they
 * cannot see), the filters, the cursor, the refusals of bad parameters, and an event's entry checked against an
 * inclusion proof.
 */
class AuditQueryHttpTest {
    static TestRegistry registry;
    static String root;
    static String olive;
    static String dora;
    static String mia;
    static String oscar;
    static long beforeSecret;

    @BeforeAll
    static void setUp() {
        registry = TestRegistry.start();
        registry.airlock.users.add(Actor.operator(), "root", "root@example.com", "root-password", true);
        root = registry.login("root", "root-password");
        olive = registry.userWithToken("olive");
        dora = registry.userWithToken("dora");
        mia = registry.userWithToken("mia");
        oscar = registry.userWithToken("oscar");
        registry.createOrg("corp", "olive");
        registry.airlock.orgs.setMember(Actor.operator(), "corp", "dora", OrgRole.DEVELOPER);
        registry.airlock.orgs.createTeam(new Actor("olive", "session", null, "127.0.0.1"), "corp", "ops", "");
        // another org whose name starts like this one's: none of its events are corp's
        registry.addUser("otto", "otto-password");
        registry.createOrg("corp2", "otto");
        registry.airlock.orgs.createTeam(new Actor("otto", "session", null, "127.0.0.1"), "corp2", "ops", "");
        publish(mia, "mia-lib", "1.0.0");
        publish(mia, "mia-lib", "1.0.1");
        registry.clock.advance(Duration.ofHours(1));
        beforeSecret = registry.clock.millis();
        publish(dora, "@corp/secret", "1.0.0");
        registry.airlock
                .packageUseCases
                .ownership()
                .setAccess(
                        new Actor("dora", "session", null, "127.0.0.1"),
                        PackageName.parse("@corp/secret"),
                        "restricted");
        publish(dora, "@corp/secret", "1.1.0");
    }

    @AfterAll
    static void tearDown() {
        registry.close();
    }

    static void publish(String token, String name, String version) {
        Http.Response r =
                registry.http.put(Tarballs.escaped(name), token, Json.write(Tarballs.publishBody(name, version)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    static JsonNode get(String token, String query) {
        Http.Response r = registry.http.get("-/airlock/v1/audit" + query, token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static List<String> seen(String token, String query) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : get(token, query).path("events")) {
            out.add(e.path("action").asText() + " " + e.path("target").asText());
        }
        return out;
    }

    static String q(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }

    @Test
    void anAdministratorSeesEveryEvent() {
        List<String> all = seen(root, "?limit=1000");
        assertThat(all)
                .contains(
                        "user.create user:olive",
                        "org.create org:corp",
                        "org.member.set org:corp",
                        "package.publish package:mia-lib",
                        "package.publish package:@corp/secret",
                        "package.access package:@corp/secret");
        assertThat(all).hasSize((int) registry.airlock.audit.integrate());
    }

    @Test
    void anOrgOwnerSeesTheOrgAndItsPackages() {
        assertThat(seen(olive, ""))
                .containsExactly(
                        "org.create org:corp",
                        "org.member.set org:corp",
                        "team.create team:corp:ops",
                        "package.publish package:@corp/secret",
                        "package.access package:@corp/secret",
                        "package.publish package:@corp/secret");
    }

    @Test
    void aMaintainerSeesTheirPackagesOnly() {
        assertThat(seen(dora, ""))
                .containsExactly(
                        "package.publish package:@corp/secret",
                        "package.access package:@corp/secret",
                        "package.publish package:@corp/secret");
        assertThat(seen(mia, "")).containsExactly("package.publish package:mia-lib", "package.publish package:mia-lib");
        assertThat(seen(mia, "?package=mia-lib")).hasSize(2);
    }

    @Test
    void anyoneElseSeesNothingAndARestrictedPackageTheyCannotSeeIsNotFound() {
        assertThat(seen(oscar, "")).isEmpty();
        assertThat(seen(oscar, "?package=mia-lib")).isEmpty();
    }

    @Test
    void aRestrictedPackageIsNotFoundForThoseWhoCannotSeeIt() {
        for (String token : List.of(oscar, mia)) {
            Http.Response r = registry.http.get("-/airlock/v1/audit?package=" + q("@corp/secret"), token);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.error()).isEqualTo("Package \"@corp/secret\" not found.");
        }
        Http.Response absent = registry.http.get("-/airlock/v1/audit?package=nothing-here", oscar);
        assertThat(absent.status()).isEqualTo(404);
        assertThat(registry.http.get("-/airlock/v1/audit", null).status()).isEqualTo(401);
    }

    @Test
    void filtersByPackageActorActionAndTime() {
        assertThat(seen(root, "?package=mia-lib"))
                .containsExactly("package.publish package:mia-lib", "package.publish package:mia-lib");
        assertThat(seen(root, "?actor=dora"))
                .map(e -> e.replaceFirst("^token\\.create token:[0-9a-f]{16}$", "token.create token:ID"))
                .containsExactly(
                        "user.login user:dora",
                        "token.create token:ID", // a token's events target the token, by its public id
                        "package.publish package:@corp/secret",
                        "package.access package:@corp/secret",
                        "package.publish package:@corp/secret");
        assertThat(seen(root, "?action=" + q("package.*") + "&actor=mia")).hasSize(2);
        assertThat(seen(root, "?action=package.access")).containsExactly("package.access package:@corp/secret");
        assertThat(seen(root, "?action=" + q("org.*")))
                .containsExactly("org.create org:corp", "org.member.set org:corp", "org.create org:corp2");
        assertThat(seen(root, "?action=" + q("team.*")))
                .containsExactly("team.create team:corp:ops", "team.create team:corp2:ops");
        String since = Instant.ofEpochMilli(beforeSecret).toString();
        assertThat(seen(root, "?action=package.publish&since=" + q(since)))
                .containsExactly("package.publish package:@corp/secret", "package.publish package:@corp/secret");
        assertThat(seen(root, "?action=package.publish&until=" + q(since)))
                .containsExactly("package.publish package:mia-lib", "package.publish package:mia-lib");
        assertThat(seen(root, "?action=package.publish&since=30m")).hasSize(2);
    }

    @Test
    void pagesFollowTheCursorInLogOrder() {
        JsonNode first = get(root, "?limit=3");
        List<Long> seqs = new ArrayList<>();
        first.path("events").forEach(e -> seqs.add(e.path("seq").asLong()));
        assertThat(seqs).containsExactly(0L, 1L, 2L);
        assertThat(first.path("next").asLong()).isEqualTo(2);
        JsonNode second = get(root, "?limit=3&after=2");
        assertThat(second.path("events").get(0).path("seq").asLong()).isEqualTo(3);

        JsonNode doras = get(dora, "?limit=2");
        assertThat(doras.path("events")).hasSize(2);
        long next = doras.path("next").asLong();
        JsonNode rest = get(dora, "?limit=2&after=" + next);
        assertThat(rest.path("events")).hasSize(1);
        assertThat(rest.path("next").isNull()).isTrue();
        assertThat(rest.path("events").get(0).path("seq").asLong()).isGreaterThan(next);
    }

    @Test
    void anEventCarriesItsEntryWhichAnInclusionProofConfirms() {
        JsonNode e = get(mia, "").path("events").get(1);
        assertThat(e.path("action").asText()).isEqualTo("package.publish");
        assertThat(e.path("outcome").asText()).isEqualTo("success");
        assertThat(e.path("actor").path("user").asText()).isEqualTo("mia");
        assertThat(e.path("target").asText()).isEqualTo("package:mia-lib");
        assertThat(e.path("detail").path("version").asText()).isEqualTo("1.0.1");
        assertThat(Instant.parse(e.path("time").asText()).toEpochMilli())
                .isEqualTo(e.path("at").asLong());
        long seq = e.path("seq").asLong();
        String entry = e.path("entry").asText();
        assertThat(Json.parse(entry).path("id").asText()).isEqualTo(e.path("id").asText());

        registry.airlock.audit.checkpoint();
        JsonNode proof = registry.http
                .get("-/airlock/v1/log/proof/inclusion?index=" + seq, mia)
                .json();
        List<byte[]> hashes = StreamSupport.stream(proof.path("hashes").spliterator(), false)
                .map(h -> Base64.getDecoder().decode(h.asText()))
                .toList();
        byte[] root = Base64.getDecoder().decode(proof.path("root").asText());
        long size = proof.path("size").asLong();
        assertThat(MerkleTree.verifyInclusion(
                        MerkleTree.leafHash(entry.getBytes(StandardCharsets.UTF_8)), seq, size, hashes, root))
                .isTrue();
        assertThat(MerkleTree.verifyInclusion(
                        MerkleTree.leafHash((entry + " ").getBytes(StandardCharsets.UTF_8)), seq, size, hashes, root))
                .isFalse();
    }

    @Test
    void badParametersAreRefusedWithASentence() {
        String[][] cases = {
            {"limit=0", "limit must be a whole number from 1 to 1000."},
            {"limit=1001", "limit must be a whole number from 1 to 1000."},
            {"limit=ten", "limit must be a whole number from 1 to 1000."},
            {"after=-1", "after must be a whole number (0 or more)."},
            {"after=x", "after must be a whole number (0 or more)."},
            {"action=Package%21", "action must be an action such as package.publish, or a family such as package.*"},
            {"action=*", "action must be an action such as package.publish, or a family such as package.*"},
            {"actor=bad%20name", "actor must be a user name (letters, digits, '.', '_', '-')."},
            {
                "since=yesterday",
                "since must be a time such as 2025-01-31T12:00:00Z, a day such as 2025-01-31, or an age"
                        + " such as 30m, 2h or 7d."
            },
            {
                "until=2025-13-01",
                "until must be a time such as 2025-01-31T12:00:00Z, a day such as 2025-01-31, or an"
                        + " age such as 30m, 2h or 7d."
            },
            {"since=2025-02-01&until=2025-01-01", "since must be earlier than until."},
            {"package=%40scope", "Invalid package name \"@scope\": a scoped name is @scope/name"},
        };
        for (String[] c : cases) {
            Http.Response r = registry.http.get("-/airlock/v1/audit?" + c[0], root);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.error()).as(c[0]).isEqualTo(c[1]);
        }
    }
}
