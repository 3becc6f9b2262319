package dev.airlock.attestations;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestOidcIssuer;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provenance verified on upload, offline: a test Fulcio CA and Rekor key (the registry's provenance.trustedRoot), the
 * test OIDC issuer as GitHub Actions, and a trusted-publishing upload whose body is npm's publish body with its
 * {@code .sigstore} attachment. The honest bundle is stored and served; each kind of bad bundle is refused with its
 * reason and leaves no version and no attestation behind.
 */
class ProvenanceIT {
    static final String PKG = "@alice/widget";
    static final TestSigstore SIGSTORE = new TestSigstore();
    static TestOidcIssuer issuer;
    static TestRegistry registry;
    static Http http;
    static TestSigstore.Build honest;
    static String reader;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        MutableClock clock = new MutableClock();
        issuer = new TestOidcIssuer(clock);
        Map<String, String> settings = new HashMap<>(issuer.config("github"));
        settings.put(
                "provenance.trustedRoot",
                SIGSTORE.trustedRoot(tmp.resolve("trusted_root.json")).toString());
        registry = TestRegistry.start(settings, clock);
        http = new Http(registry.url());
        String token = registry.userWithToken("alice");
        reader = token;
        Authenticator app = registry.enableTwoFactor("alice", token, "auth-and-writes");
        Npm alice = Npm.withToken(tmp.resolve("alice"), registry.url(), token);
        Path d = tmp.resolve("pkg");
        Files2.write(d.resolve("package.json"), "{\"name\":\"" + PKG + "\",\"version\":\"0.0.1\"}");
        Files2.write(d.resolve("index.js"), "module.exports = 1;\n");
        ok(alice.run(d, "publish", "--access=public", "--otp=" + app.next()));
        ok(alice.run(
                tmp,
                "trust",
                "github",
                PKG,
                "--yes",
                "--otp=" + app.next(),
                "--file=release.yml",
                "--repository=acme/widget",
                "--allow-publish"));
        honest = new TestSigstore.Build(
                issuer.issuer(), "acme/widget", ".github/workflows/release.yml", "refs/heads/main");
    }

    @AfterAll
    static void stop() {
        registry.close();
        issuer.close();
    }

    /** The pipeline's exchanged token (GitHub-Actions claims for acme/widget's release.yml on main). */
    static String pipelineToken() {
        String idToken = issuer.mint(b -> {
            b.audience("npm:127.0.0.1");
            b.claim("repository", "acme/widget");
            b.claim("repository_owner", "acme");
            b.claim("repository_owner_id", "77");
            b.claim("workflow_ref", "acme/widget/.github/workflows/release.yml@refs/heads/main");
            b.claim("ref", "refs/heads/main");
            b.claim("sha", "0123456789abcdef0123456789abcdef01234567");
            b.claim("run_id", "4242");
        });
        Http.Response r = http.post("/-/npm/v1/oidc/token/exchange/package/" + Tarballs.escaped(PKG), idToken, "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("token").asText();
    }

    /** npm's publish body for PKG@version, with the bundle made by {@code bundle} attached as npm attaches it. */
    static ObjectNode body(String version, BundleMaker bundle) throws Exception {
        ObjectNode m = Tarballs.manifest(PKG, version);
        byte[] tgz = Tarballs.packageTgz(m);
        ObjectNode body = Tarballs.publishBody(m, tgz, "latest");
        body.put("access", "public");
        String sha512 = Hashes.hex(Hashes.digest("SHA-512").digest(tgz));
        if (bundle != null) {
            String json = Json.write(bundle.make("pkg:npm/%40alice/widget@" + version, sha512));
            ObjectNode att = ((ObjectNode) body.get("_attachments")).putObject(PKG + "-" + version + ".sigstore");
            att.put("content_type", "application/vnd.dev.sigstore.bundle.v0.3+json");
            att.put("data", json);
            att.put("length", json.length());
        }
        return body;
    }

    interface BundleMaker {
        ObjectNode make(String purl, String sha512) throws Exception;
    }

    static Http.Response publish(String version, BundleMaker bundle) throws Exception {
        return http.put("/" + Tarballs.escaped(PKG), pipelineToken(), Json.write(body(version, bundle)));
    }

    static void refused(String version, BundleMaker bundle, String reason) throws Exception {
        Http.Response r = publish(version, bundle);
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.error()).contains("Provenance refused").contains(reason);
        assertThat(http.get("/" + Tarballs.escaped(PKG) + "/" + version, reader).status())
                .isEqualTo(404);
        assertThat(http.get("/-/npm/v1/attestations/" + Tarballs.escaped(PKG) + "@" + version, reader)
                        .status())
                .isEqualTo(404);
        long rows = registry.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT COUNT(*) FROM attestations WHERE version = :v")
                .bind("v", version)
                .mapTo(Long.class)
                .one());
        assertThat(rows).isZero();
    }

    @Test
    void anHonestBundleIsVerifiedStoredAndServed() throws Exception {
        Http.Response r = publish("1.0.0", (purl, sha) -> SIGSTORE.bundle(purl, sha, honest, SIGSTORE.ca));
        assertThat(r.status()).as(r.body()).isEqualTo(201);

        // the endpoint npm asks, with the scoped name encoded as npm sends it
        Http.Response a = http.get("/-/npm/v1/attestations/@alice%2fwidget@1.0.0", reader);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.json().path("attestations")).hasSize(1);
        assertThat(a.json().path("attestations").get(0).path("predicateType").asText())
                .isEqualTo("https://slsa.dev/provenance/v1");
        assertThat(a.json()
                        .path("attestations")
                        .get(0)
                        .path("bundle")
                        .path("dsseEnvelope")
                        .path("payload")
                        .asText())
                .isNotEmpty();

        var dist = http.get("/" + Tarballs.escaped(PKG), reader)
                .json()
                .path("versions")
                .path("1.0.0")
                .path("dist");
        assertThat(dist.path("attestations").path("url").asText())
                .isEqualTo(registry.url() + "-/npm/v1/attestations/@alice/widget@1.0.0");
        assertThat(dist.path("attestations")
                        .path("provenance")
                        .path("predicateType")
                        .asText())
                .isEqualTo("https://slsa.dev/provenance/v1");
        var manifest = http.get("/" + Tarballs.escaped(PKG) + "/1.0.0", reader).json();
        assertThat(manifest.path("dist").path("attestations").path("url").asText())
                .endsWith("@alice/widget@1.0.0");
        // a version published without provenance has no attestations
        assertThat(http.get("/-/npm/v1/attestations/@alice%2fwidget@0.0.1", reader)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aWrongSubjectDigestIsRefused() throws Exception {
        refused(
                "2.0.1",
                (purl, sha) -> SIGSTORE.bundle(purl, "00" + sha.substring(2), honest, SIGSTORE.ca),
                "subject digest is not the sha512 of the uploaded tarball");
    }

    @Test
    void anotherPackagesBundleIsRefused() throws Exception {
        refused(
                "2.0.2",
                (purl, sha) -> SIGSTORE.bundle("pkg:npm/%40alice/other@2.0.2", sha, honest, SIGSTORE.ca),
                "is not this package, pkg:npm/%40alice/widget@2.0.2");
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        refused(
                "2.0.3",
                (purl, sha) -> SIGSTORE.bundle(purl, sha, honest, TestSigstore.ec()),
                "does not chain to a trusted Fulcio root");
    }

    @Test
    void aTamperedLogEntryIsRefused() throws Exception {
        refused(
                "2.0.4",
                (purl, sha) -> {
                    ObjectNode b = SIGSTORE.bundle(purl, sha, honest, SIGSTORE.ca);
                    ObjectNode entry = (ObjectNode)
                            b.path("verificationMaterial").path("tlogEntries").get(0);
                    entry.put(
                            "integratedTime",
                            Long.toString(entry.path("integratedTime").asLong() - 60));
                    return b;
                },
                "signed entry timestamp does not verify with the Rekor key");
    }

    @Test
    void anIdentityThatIsNotTheTrustedPublisherIsRefused() throws Exception {
        TestSigstore.Build fork = new TestSigstore.Build(
                issuer.issuer(), "mallory/widget", ".github/workflows/release.yml", "refs/heads/main");
        refused(
                "2.0.5",
                (purl, sha) -> SIGSTORE.bundle(purl, sha, fork, SIGSTORE.ca),
                "does not match the trusted publisher: it was built in github.com/mallory/widget");
    }

    @Test
    void aPolicyRequiringProvenanceRefusesAReleaseWithout() throws Exception {
        registry.airlock.policies.setPackage(
                dev.airlock.shared.Actor.operator(),
                dev.airlock.shared.PackageName.parse(PKG),
                new dev.airlock.policy.Policy(null, null, null, null, null, "github.com/acme/widget"));
        try {
            refused("2.0.6", null, "requires provenance built in github.com/acme/widget");
            Http.Response r = publish("2.0.7", (purl, sha) -> SIGSTORE.bundle(purl, sha, honest, SIGSTORE.ca));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        } finally {
            registry.airlock.policies.setPackage(
                    dev.airlock.shared.Actor.operator(),
                    dev.airlock.shared.PackageName.parse(PKG),
                    new dev.airlock.policy.Policy(null, null, null, null, null, "none"));
        }
    }
}
