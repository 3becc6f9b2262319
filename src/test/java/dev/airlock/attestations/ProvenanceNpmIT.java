package dev.airlock.attestations;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Clients;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestOidcIssuer;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provenance with the real client: {@code npm publish --provenance} and {@code npm stage publish --provenance} (npm
 * 11.19.1) run as GitHub Actions runs them — the environment a runner sets, the ID-token request endpoint served by the
 * test OIDC issuer — and npm's sigstore-js obtains its certificate from a test Fulcio and logs the envelope in a test
 * Rekor ({@link TestSigstoreServer}) whose CA, CT log and log keys are the registry's {@code provenance.trustedRoot}.
 *
 * <p>npm has no setting for Sigstore's URLs, so the pipeline runs with {@code NODE_OPTIONS=--require npm-preload.js}
 * (src/test/resources/sigstore), which wraps {@code require('sigstore').attest} to pass {@code fulcioURL} and
 * {@code rekorURL}; everything else is npm's own code. Each bundle Airlock serves is then verified again by npm's own
 * {@code @sigstore/verify} with its default policy (one SCT, one log entry, one timestamp), and a tampered copy is
 * refused by both.
 */
class ProvenanceNpmIT {
    static final String PKG = "@alice/gadget";
    static final String STAGED = "@alice/staged";
    static final String PROVENANCE = "https://slsa.dev/provenance/v1";
    static final TestSigstore SIGSTORE = new TestSigstore();
    static TestOidcIssuer issuer;
    static TestSigstoreServer sigstore;
    static TestRegistry registry;
    static Http http;
    static String token;
    static Authenticator app;
    static Npm alice;
    static Path trustedRoot;
    static Path preload;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        MutableClock clock = new MutableClock();
        issuer = new TestOidcIssuer(clock);
        sigstore = new TestSigstoreServer(SIGSTORE, issuer.key());
        trustedRoot = SIGSTORE.trustedRoot(tmp.resolve("trusted_root.json"));
        preload = resource("npm-preload.js");
        Map<String, String> settings = new HashMap<>(issuer.config("github"));
        settings.put("provenance.trustedRoot", trustedRoot.toString());
        registry = TestRegistry.start(settings, clock);
        http = new Http(registry.url());
        token = registry.userWithToken("alice");
        app = registry.enableTwoFactor("alice", token, "auth-and-writes");
        alice = Npm.withToken(tmp.resolve("alice"), registry.url(), token);
        ok(alice.run(pkg(PKG, "0.0.1"), "publish", "--access=public", "--otp=" + app.next()));
        ok(alice.run(pkg(STAGED, "0.0.1"), "publish", "--access=public", "--otp=" + app.next()));
        trust(PKG, "--allow-publish");
        trust(STAGED, "--allow-stage-publish");
    }

    @AfterAll
    static void stop() {
        registry.close();
        sigstore.close();
        issuer.close();
    }

    static void trust(String pkg, String permission) {
        ok(alice.run(
                tmp,
                "trust",
                "github",
                pkg,
                "--yes",
                "--otp=" + app.next(),
                "--file=release.yml",
                "--repository=acme/gadget",
                permission));
    }

    static Path resource(String name) throws IOException {
        Path file = tmp.resolve(name);
        try (InputStream in = ProvenanceNpmIT.class.getResourceAsStream("/sigstore/" + name)) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    static Path pkg(String name, String version) {
        Path d = tmp.resolve("pkgs").resolve(name.replace('/', '+') + "-" + version);
        Files2.write(d.resolve("package.json"), "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
        Files2.write(d.resolve("index.js"), "module.exports = 1;\n");
        return d;
    }

    /** The job's ID-token claims: acme/gadget's release.yml on main, the job itself running {@code jobWorkflow}. */
    static void job(String jobWorkflow) {
        Map<String, Object> c = new HashMap<>();
        c.put("repository", "acme/gadget");
        c.put("repository_owner", "acme");
        c.put("repository_owner_id", "77");
        c.put("workflow_ref", "acme/gadget/.github/workflows/release.yml@refs/heads/main");
        c.put("job_workflow_ref", "acme/gadget/.github/workflows/" + jobWorkflow + "@refs/heads/main");
        c.put("ref", "refs/heads/main");
        c.put("sha", "0123456789abcdef0123456789abcdef01234567");
        c.put("run_id", "4242");
        c.put("repository_visibility", "public");
        issuer.pipelineClaims = c;
    }

    /** npm in a GitHub-Actions runner's environment, with no npm token: trusted publishing and --provenance. */
    static Cli.Result pipeline(Path cwd, boolean intoto, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("CI", "true");
        env.put("GITHUB_ACTIONS", "true");
        env.put("ACTIONS_ID_TOKEN_REQUEST_URL", issuer.requestUrl());
        env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", TestOidcIssuer.REQUEST_TOKEN);
        env.put("GITHUB_SERVER_URL", "https://github.com");
        env.put("GITHUB_REPOSITORY", "acme/gadget");
        env.put("GITHUB_REPOSITORY_ID", "1234");
        env.put("GITHUB_REPOSITORY_OWNER_ID", "77");
        env.put("GITHUB_WORKFLOW_REF", "acme/gadget/.github/workflows/release.yml@refs/heads/main");
        env.put("GITHUB_REF", "refs/heads/main");
        env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
        env.put("GITHUB_EVENT_NAME", "push");
        env.put("GITHUB_RUN_ID", "4242");
        env.put("GITHUB_RUN_ATTEMPT", "1");
        env.put("RUNNER_ENVIRONMENT", "github-hosted");
        env.put("NODE_OPTIONS", "--require " + preload);
        env.put("AIRLOCK_TEST_FULCIO", sigstore.url());
        env.put("AIRLOCK_TEST_REKOR", sigstore.url());
        env.put("AIRLOCK_TEST_INTOTO", Boolean.toString(intoto));
        Npm ci = new Npm(tmp.resolve("pipeline-" + System.nanoTime()), registry.url());
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--access=public";
        all[args.length + 1] = "--loglevel=verbose";
        return ci.runWithEnv(cwd, env, List.of(), all);
    }

    static String encoded(String name) {
        return name.replace("/", "%2f");
    }

    static Http.Response attestations(String name, String version) {
        return http.get("/-/npm/v1/attestations/" + encoded(name) + "@" + version, token);
    }

    /** npm's own @sigstore/verify on {@code bundle} against the test trusted root. */
    static JsonNode sigstoreJs(JsonNode bundle) throws IOException {
        Path script = resource("verify-bundle.js");
        Path file = tmp.resolve("bundle-" + System.nanoTime() + ".json");
        Files.writeString(file, Json.write(bundle));
        Cli.Result r = Cli.run(
                tmp,
                Cli.baseEnv(tmp),
                List.of(
                        "node",
                        script.toString(),
                        Clients.root().resolve("node_modules/npm/node_modules").toString(),
                        trustedRoot.toString(),
                        file.toString()),
                Map.of(),
                60);
        assertThat(r.stdout()).as(r.toString()).startsWith("{");
        return Json.parse(r.stdout().strip());
    }

    /** The served bundle, checked by npm's sigstore-js; a copy with one payload byte changed fails both verifiers. */
    static void crossCheck(String name, String version, JsonNode bundle) throws Exception {
        JsonNode verdict = sigstoreJs(bundle);
        assertThat(verdict.path("ok").asBoolean()).as(verdict.toString()).isTrue();
        assertThat(verdict.path("san").asText())
                .isEqualTo("https://github.com/acme/gadget/.github/workflows/release.yml@refs/heads/main");
        assertThat(verdict.path("issuer").asText()).isEqualTo(issuer.issuer());

        ObjectNode tampered = bundle.deepCopy();
        ObjectNode env = (ObjectNode) tampered.path("dsseEnvelope");
        byte[] payload = Base64.getDecoder().decode(env.path("payload").asText());
        String text = new String(payload, StandardCharsets.UTF_8).replace("refs/heads/main", "refs/heads/mair");
        assertThat(text).isNotEqualTo(new String(payload, StandardCharsets.UTF_8));
        env.put("payload", Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
        JsonNode refused = sigstoreJs(tampered);
        assertThat(refused.path("ok").asBoolean()).as(refused.toString()).isFalse();
        assertThat(refused.path("message").asText()).isEqualTo("DSSE payload hash mismatch");

        byte[] tgz = http.bytes(
                "/" + encoded(name) + "/-/" + name.substring(name.indexOf('/') + 1) + "-" + version + ".tgz", token);
        String sha512 = Hashes.hex(Hashes.digest("SHA-512").digest(tgz));
        String purl = AttestationService.purl(dev.airlock.shared.PackageName.parse(name), version);
        ProvenanceVerifier airlock = new ProvenanceVerifier(TrustedRoot.load(trustedRoot));
        assertThat(airlock.verify(bundle, purl, sha512).identity().repository()).isEqualTo("github.com/acme/gadget");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> airlock.verify(tampered, purl, sha512))
                .hasMessageContaining("Provenance refused: the DSSE signature does not verify");
    }

    static JsonNode servedBundle(String name, String version) {
        Http.Response a = attestations(name, version);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        JsonNode list = a.json().path("attestations");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("predicateType").asText()).isEqualTo(PROVENANCE);
        return list.get(0).path("bundle");
    }

    @Test
    void npmPublishWithProvenanceIsVerifiedServedAndChecksWithSigstoreJs() throws Exception {
        job("release.yml");
        int before = sigstore.logged.size();
        Cli.Result r = ok(pipeline(pkg(PKG, "1.0.0"), false, "publish", "--provenance", "--tag=ci"));
        assertThat(r.stderr())
                .contains("oidc Successfully retrieved and set token")
                .contains("Signed provenance statement with source and build information from GitHub Actions")
                .contains("Provenance statement published to transparency log");
        assertThat(sigstore.logged).hasSize(before + 1);
        assertThat(sigstore.logged.get(before).path("kind").asText()).isEqualTo("dsse");

        JsonNode bundle = servedBundle(PKG, "1.0.0");
        assertThat(bundle.path("mediaType").asText()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
        JsonNode proof =
                bundle.path("verificationMaterial").path("tlogEntries").get(0).path("inclusionProof");
        assertThat(proof.path("hashes").size()).as("a multi-leaf audit path").isGreaterThan(1);
        JsonNode dist = http.get("/" + encoded(PKG), token)
                .json()
                .path("versions")
                .path("1.0.0")
                .path("dist");
        assertThat(dist.path("attestations")
                        .path("provenance")
                        .path("predicateType")
                        .asText())
                .isEqualTo(PROVENANCE);
        crossCheck(PKG, "1.0.0", bundle);
    }

    @Test
    void aBrokenAuditPathIsRefusedByBothAndAMissingSctOnlyBySigstoreJs() throws Exception {
        job("release.yml");
        ok(pipeline(pkg(PKG, "1.2.0"), false, "publish", "--provenance", "--tag=ci"));
        JsonNode bundle = servedBundle(PKG, "1.2.0");
        ObjectNode broken = bundle.deepCopy();
        ObjectNode proof = (ObjectNode)
                broken.path("verificationMaterial").path("tlogEntries").get(0).path("inclusionProof");
        com.fasterxml.jackson.databind.node.ArrayNode hashes =
                (com.fasterxml.jackson.databind.node.ArrayNode) proof.path("hashes");
        byte[] h = Base64.getDecoder().decode(hashes.get(0).asText());
        h[0] ^= 1;
        hashes.set(0, Base64.getEncoder().encodeToString(h));
        JsonNode js = sigstoreJs(broken);
        assertThat(js.path("ok").asBoolean()).as(js.toString()).isFalse();
        assertThat(js.path("code").asText()).isEqualTo("TLOG_INCLUSION_PROOF_ERROR");
        String purl = AttestationService.purl(dev.airlock.shared.PackageName.parse(PKG), "1.2.0");
        String sha512 = bundleSha512(bundle);
        ProvenanceVerifier airlock = new ProvenanceVerifier(TrustedRoot.load(trustedRoot));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> airlock.verify(broken, purl, sha512))
                .hasMessageContaining("inclusion proof does not lead to the logged root hash");

        // the difference between the two verifiers: a certificate without an SCT (TestSigstore.bundle's) passes
        // Airlock, which does not check SCTs, and fails sigstore-js's default policy
        ObjectNode noSct = SIGSTORE.bundle(
                purl,
                sha512,
                new TestSigstore.Build(
                        issuer.issuer(), "acme/gadget", ".github/workflows/release.yml", "refs/heads/main"),
                SIGSTORE.ca);
        assertThat(airlock.verify(noSct, purl, sha512).identity().repository()).isEqualTo("github.com/acme/gadget");
        JsonNode strict = sigstoreJs(noSct);
        assertThat(strict.path("ok").asBoolean()).as(strict.toString()).isFalse();
        assertThat(strict.path("message").asText()).isEqualTo("expected 1 SCTs, got 0");
    }

    static String bundleSha512(JsonNode bundle) {
        JsonNode statement = Json.parse(new String(
                Base64.getDecoder()
                        .decode(bundle.path("dsseEnvelope").path("payload").asText()),
                StandardCharsets.UTF_8));
        return statement.path("subject").get(0).path("digest").path("sha512").asText();
    }

    @Test
    void anIntotoEntryFromSigstoreJsLegacyModeIsVerifiedToo() throws Exception {
        job("release.yml");
        int before = sigstore.logged.size();
        ok(pipeline(pkg(PKG, "1.1.0"), true, "publish", "--provenance", "--tag=ci"));
        assertThat(sigstore.logged.get(before).path("kind").asText()).isEqualTo("intoto");
        assertThat(sigstore.logged.get(before).path("apiVersion").asText()).isEqualTo("0.0.2");
        JsonNode bundle = servedBundle(PKG, "1.1.0");
        assertThat(bundle.path("verificationMaterial").has("x509CertificateChain"))
                .isTrue();
        crossCheck(PKG, "1.1.0", bundle);
    }

    @Test
    void aStagedReleaseShowsItsProvenanceOnlyAfterApproval() throws Exception {
        job("release.yml");
        Cli.Result staged = ok(pipeline(pkg(STAGED, "1.0.0"), false, "stage", "publish", "--provenance"));
        assertThat(staged.stderr()).contains("Signed provenance statement");
        Matcher m = Pattern.compile("staged with id ([0-9a-f-]{36})").matcher(staged.stdout());
        assertThat(m.find()).as(staged.toString()).isTrue();
        assertThat(attestations(STAGED, "1.0.0").status()).isEqualTo(404);
        assertThat(http.get("/" + encoded(STAGED), token).body()).doesNotContain("1.0.0");

        ok(alice.run(tmp, "stage", "approve", m.group(1), "--otp=" + app.next()));
        JsonNode bundle = servedBundle(STAGED, "1.0.0");
        assertThat(http.get("/" + encoded(STAGED) + "/1.0.0", token)
                        .json()
                        .path("dist")
                        .path("attestations")
                        .path("url")
                        .asText())
                .endsWith("/-/npm/v1/attestations/@alice/staged@1.0.0");
        crossCheck(STAGED, "1.0.0", bundle);
    }

    @Test
    void aCertificateFromAnotherWorkflowIsRefusedAndNpmSaysWhy() throws Exception {
        // the job ran a reusable workflow: Fulcio names it (job_workflow_ref), the trusted publisher names release.yml
        job("sneaky.yml");
        Cli.Result r = pipeline(pkg(PKG, "2.0.0"), false, "publish", "--provenance", "--tag=ci");
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.stderr())
                .contains("npm error 422 Unprocessable Entity - PUT " + registry.url() + "@alice%2fgadget - Provenance"
                        + " refused: the provenance does not match the trusted publisher: it was signed by workflow"
                        + " https://github.com/acme/gadget/.github/workflows/sneaky.yml@refs/heads/main, but the upload"
                        + " came from acme/gadget/.github/workflows/release.yml@refs/heads/main")
                .contains("sneaky.yml");
        assertThat(http.get("/" + encoded(PKG) + "/2.0.0", token).status()).isEqualTo(404);
        assertThat(attestations(PKG, "2.0.0").status()).isEqualTo(404);
        long rows = registry.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT COUNT(*) FROM attestations WHERE version = '2.0.0'")
                .mapTo(Long.class)
                .one());
        assertThat(rows).isZero();
    }
}
