package dev.airlock.signing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.imports.ImportService;
import dev.airlock.imports.RegistrySource;
import dev.airlock.imports.Wanted;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Pacote;
import dev.airlock.testing.Services;
import dev.airlock.testing.TestRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Registry signatures as npm verifies them: npm's own pacote (verifySignatures, the registry's keys as npm passes
 * them) accepts every version the registry serves, and reports each kind of tampering done on disk with its own code.
 */
class RegistrySignaturesIT {
    private final TestRegistry r = TestRegistry.start();
    private final Actor alice = user("alice");

    @AfterEach
    void close() {
        r.close();
    }

    private Actor user(String name) {
        r.airlock.users.add(Actor.operator(), name, name + "@example.com", name + "-password-long", false);
        return Services.session(name);
    }

    private void publish(String name, String version) {
        r.airlock.publish.publish(alice, PackageName.parse(name), Services.body(name, version));
    }

    private static void ok(JsonNode result, String spec, String keyid) {
        JsonNode one = result.path(spec);
        assertThat(one.path("ok").asBoolean()).as(spec + ": " + one).isTrue();
        assertThat(one.path("signatures")).hasSize(1);
        assertThat(one.path("signatures").get(0).path("keyid").asText()).isEqualTo(keyid);
    }

    private static void fails(JsonNode result, String spec, String code, String message) {
        JsonNode one = result.path(spec);
        assertThat(one.path("ok").asBoolean()).as(spec + ": " + one).isFalse();
        assertThat(one.path("code").asText()).as(one.toString()).isEqualTo(code);
        assertThat(one.path("message").asText()).contains(message);
    }

    /** An attacker with disk access: runs SQL on the registry's database. */
    private void sql(String statement, Object... args) {
        r.airlock.db.write(tx -> {
            var update = tx.handle().createUpdate(statement);
            for (int i = 0; i < args.length; i++) {
                update.bind(i, args[i]);
            }
            return update.execute();
        });
    }

    private String manifestOf(String name, String version) {
        return r.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT manifest_json FROM versions WHERE package = ? AND version = ?")
                .bind(0, name)
                .bind(1, version)
                .mapTo(String.class)
                .one());
    }

    @Test
    void publishedApprovedAndImportedVersionsVerifyInEveryDocument() throws Exception {
        publish("widget", "1.0.0");
        Authenticator app = enableTotp("alice");
        var stage = r.airlock.staging.stage(alice, PackageName.parse("widget"), Services.body("widget", "1.1.0"));
        r.airlock.staging.approve(alice.withOtp(app.next()), stage.id());

        try (TestRegistry upstream = TestRegistry.start()) {
            upstream.addUser("bob", "bob-password-long");
            upstream.publishDirect(dev.airlock.testing.Tarballs.manifest("imported", "2.0.0"));
            String theirs = upstream.airlock.signer.currentKeyid();
            r.airlock.imports.run(
                    Actor.operator(),
                    new RegistrySource(URI.create(upstream.url()), null, Duration.ofSeconds(30), r.dataDir),
                    List.of(Wanted.all("imported")),
                    new ImportService.Options(null, null, 1),
                    (done, total, res) -> {});
            assertThat(theirs).isNotEqualTo(r.airlock.signer.currentKeyid());
        }

        String keyid = r.airlock.signer.currentKeyid();
        JsonNode keys = r.http.get("-/npm/v1/keys", null).json();
        assertThat(keys.path("keys")).hasSize(1);
        JsonNode key = keys.path("keys").get(0);
        assertThat(Json.write(key))
                .isEqualTo("{\"expires\":null,\"keyid\":\"" + keyid
                        + "\",\"keytype\":\"ecdsa-sha2-nistp256\",\"scheme\":\"ecdsa-sha2-nistp256\",\"key\":\""
                        + key.path("key").asText() + "\"}");
        assertThat(keyid).matches("SHA256:[A-Za-z0-9+/]{43}");

        JsonNode result = Pacote.verify(r.url(), "widget@1.0.0", "widget@1.1.0", "imported@2.0.0");
        ok(result, "widget@1.0.0", keyid);
        ok(result, "widget@1.1.0", keyid);
        ok(result, "imported@2.0.0", keyid);

        // the abbreviated packument and the version document carry the same signatures as the full one
        JsonNode full = r.http.get("widget", null).json().path("versions");
        JsonNode corgi = r.http.get("widget", null, "Accept", dev.airlock.platform.npm.Corgi.MEDIA_TYPE)
                .json()
                .path("versions");
        JsonNode manifest = r.http.get("widget/1.1.0", null).json();
        for (String v : List.of("1.0.0", "1.1.0")) {
            JsonNode sigs = full.path(v).path("dist").path("signatures");
            assertThat(sigs).hasSize(1);
            assertThat(corgi.path(v).path("dist").path("signatures")).isEqualTo(sigs);
        }
        assertThat(manifest.path("dist").path("signatures"))
                .isEqualTo(full.path("1.1.0").path("dist").path("signatures"));
    }

    private Authenticator enableTotp(String user) {
        Actor actor = Services.session(user);
        String url = r.airlock.twoFactor.totp().enrol(actor, "auth-only").orElseThrow();
        Authenticator app = new Authenticator(url.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"), r.clock);
        r.airlock.twoFactor.totp().confirm(actor, app.next());
        return app;
    }

    @Test
    void aChangedTarballIsReportedAsAnInvalidSignature() {
        publish("gadget", "1.0.0");
        // the attacker stores other bytes and writes their integrity into the stored manifest and packument
        byte[] evil = "evil".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String integrity = Hashes.sri("sha512", Hashes.digest("SHA-512").digest(evil));
        ObjectNode m = (ObjectNode) Json.parse(manifestOf("gadget", "1.0.0"));
        m.withObject("/dist").put("integrity", integrity);
        sql("UPDATE versions SET manifest_json = ?, integrity = ? WHERE package = 'gadget'", Json.write(m), integrity);
        r.airlock.packageUseCases.versions().rebuildAll();

        fails(
                Pacote.verify(r.url(), "gadget@1.0.0"),
                "gadget@1.0.0",
                "EINTEGRITYSIGNATURE",
                "gadget@1.0.0 has an invalid registry signature with keyid: " + r.airlock.signer.currentKeyid());
    }

    @Test
    void aSignatureMovedToAnotherVersionIsReportedAsInvalid() {
        publish("gadget", "1.0.0");
        publish("gadget", "1.1.0");
        JsonNode old = Json.parse(manifestOf("gadget", "1.0.0")).path("dist").path("signatures");
        ObjectNode m = (ObjectNode) Json.parse(manifestOf("gadget", "1.1.0"));
        m.withObject("/dist").set("signatures", old);
        sql("UPDATE versions SET manifest_json = ? WHERE package = 'gadget' AND version = '1.1.0'", Json.write(m));
        r.airlock.packageUseCases.versions().rebuildAll();

        JsonNode result = Pacote.verify(r.url(), "gadget@1.0.0", "gadget@1.1.0");
        ok(result, "gadget@1.0.0", r.airlock.signer.currentKeyid());
        fails(result, "gadget@1.1.0", "EINTEGRITYSIGNATURE", "gadget@1.1.0 has an invalid registry signature");
    }

    @Test
    void aVersionPublishedAfterItsKeyExpiredIsReported() {
        publish("gadget", "1.0.0");
        // the attacker backdates the key's expiry (or a version is slipped in after a rotation with the old key)
        sql("UPDATE signing_keys SET expires_at = ?", r.clock.millis() - 60_000);

        fails(
                Pacote.verify(r.url(), "gadget@1.0.0"),
                "gadget@1.0.0",
                "EEXPIREDSIGNATUREKEY",
                "but the corresponding public key has expired");
    }

    @Test
    void aKeyRemovedFromTheKeysEndpointIsReportedAsMissing() {
        publish("gadget", "1.0.0");
        sql("DELETE FROM signing_keys");
        assertThat(r.http.get("-/npm/v1/keys", null).json().path("keys")).isEmpty();

        fails(
                Pacote.verify(r.url(), "gadget@1.0.0"),
                "gadget@1.0.0",
                "EMISSINGSIGNATUREKEY",
                "gadget@1.0.0 has a registry signature with keyid: " + "SHA256:");
    }

    @Test
    void afterARotationOlderVersionsVerifyWithTheOldKeyAndNewOnesWithTheNew() {
        publish("gadget", "1.0.0");
        String first = r.airlock.signer.currentKeyid();
        // the operator's command, beside the running server (same data directory)
        String out = AirlockCommand.run("", "keys", "rotate", "--data", r.dataDir.toString());
        assertThat(out).startsWith("exit=0").contains("New signing key SHA256:");
        r.clock.advance(Duration.ofSeconds(1));
        publish("gadget", "1.1.0");
        String second = r.airlock.signer.currentKeyid();
        assertThat(second).isNotEqualTo(first);

        JsonNode keys = r.http.get("-/npm/v1/keys", null).json().path("keys");
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0).path("keyid").asText()).isEqualTo(second);
        assertThat(keys.get(0).path("expires").isNull()).isTrue();
        assertThat(keys.get(1).path("keyid").asText()).isEqualTo(first);
        assertThat(keys.get(1).path("expires").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

        JsonNode result = Pacote.verify(r.url(), "gadget@1.0.0", "gadget@1.1.0");
        ok(result, "gadget@1.0.0", first);
        ok(result, "gadget@1.1.0", second);

        String list = AirlockCommand.run("", "keys", "list", "--data", r.dataDir.toString());
        assertThat(list).contains(second + "\t").contains(first + "\t").contains("current");
        assertThat(r.airlock.audit.forTarget("registry").stream().map(e -> e.action()))
                .contains("signing.key.create", "signing.key.rotate");
    }

    /**
     * {@code npm audit signatures} asks the public Sigstore TUF repository for the registry's keys first. Without a
     * network (as in this test) that request fails and npm stops, never reaching {@code /-/npm/v1/keys}: the checks
     * above use pacote with the keys the way npm passes them instead. docs/verification.md describes the online run.
     */
    @Test
    void npmAuditSignaturesFirstAsksTheSigstoreTufRepository() throws Exception {
        publish("gadget", "1.0.0");
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(r.dataDir, "project");
        dev.airlock.testing.Npm npm = new dev.airlock.testing.Npm(dir.resolve("home"), r.url());
        java.nio.file.Files.writeString(
                dir.resolve("package.json"),
                "{\"name\":\"app\",\"version\":\"1.0.0\",\"dependencies\":{\"gadget\":\"1.0.0\"}}");
        var install = npm.run(dir, "install", "--no-audit", "--no-fund");
        assertThat(install.exit()).as(install.toString()).isZero();
        var audit = npm.run(dir, "audit", "signatures");
        if (audit.exit() != 0) {
            // offline: the TUF repository is out of reach and npm stops there
            assertThat(audit.stderr()).as(audit.toString()).contains("tuf-repo-cdn.sigstore.dev");
        } else {
            // online: TUF has no keys for this registry, so npm fetches /-/npm/v1/keys and checks every package
            assertThat(audit.stdout()).contains("1 package has a verified registry signature");
        }
    }

    @Test
    void versionsFromBeforeSigningAreSignedOnceInBatches() {
        publish("gadget", "1.0.0");
        publish("gadget", "1.1.0");
        publish("widget", "1.0.0");
        // what an upgraded data directory holds: versions without signatures (and packuments without them)
        for (String[] v : List.of(
                new String[] {"gadget", "1.0.0"}, new String[] {"gadget", "1.1.0"}, new String[] {"widget", "1.0.0"})) {
            ObjectNode m = (ObjectNode) Json.parse(manifestOf(v[0], v[1]));
            m.withObject("/dist").remove("signatures");
            sql("UPDATE versions SET manifest_json = ? WHERE package = ? AND version = ?", Json.write(m), v[0], v[1]);
        }
        r.airlock.packageUseCases.versions().rebuildAll();
        JsonNode unsigned = Pacote.verify(r.url(), "gadget@1.0.0");
        assertThat(unsigned.path("gadget@1.0.0").path("signatures").isNull()).isTrue();

        assertThat(r.airlock.packageUseCases.versions().signUnsigned(1)).isEqualTo(3);
        assertThat(r.airlock.packageUseCases.versions().signUnsigned(1)).isZero();

        String keyid = r.airlock.signer.currentKeyid();
        JsonNode result = Pacote.verify(r.url(), "gadget@1.0.0", "gadget@1.1.0", "widget@1.0.0");
        ok(result, "gadget@1.0.0", keyid);
        ok(result, "gadget@1.1.0", keyid);
        ok(result, "widget@1.0.0", keyid);
    }
}
