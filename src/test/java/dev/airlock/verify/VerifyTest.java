package dev.airlock.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.Airlock;
import dev.airlock.audit.Checkpoint;
import dev.airlock.audit.NoteKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code airlock verify} and the Node verifier ({@code verifier/bin/airlock-verify.js}) run on the same cases against
 * a registry serving contract-shaped documents ({@link VerifyFixture}): an honest lockfile passes, and each kind of
 * tampering fails naming the package, the check and the reason. Every case runs both and requires the same exit code
 * and the same JSON report, so the two implementations cannot drift apart.
 */
class VerifyTest {
    static final String POLICY = "{\"rules\":["
            + "{\"packages\":\"@acme/*\",\"approvals\":{\"min\":2,\"factor\":\"security-key\"}},"
            + "{\"packages\":\"@acme/*\",\"provenance\":{\"repository\":\"github.com/acme/*\"}}]}";

    @TempDir
    Path dir;

    final ObjectMapper json = new ObjectMapper();
    VerifyFixture fx;
    Path policy;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void honestRegistry() throws Exception {
        fx = new VerifyFixture(dir);
        fx.release("@acme/widget", "1.2.3", "github.com/acme/widget", "mia", "security-key", "bob", "security-key");
        fx.release("plain", "1.0.0", null, "ann", "totp");
        ((ObjectNode) fx.lock.get("packages"))
                .putObject("node_modules/elsewhere")
                .put("version", "1.0.0")
                .put("resolved", "https://registry.npmjs.org/elsewhere/-/elsewhere-1.0.0.tgz")
                .put("integrity", "sha512-AAAA");
        policy = dir.resolve("policy.json");
        Files.writeString(policy, POLICY);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    Run java(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Airlock.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("verify"));
        all.addAll(args);
        int code = cli.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    static Run node(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                "node",
                Path.of("verifier/bin/airlock-verify.js").toAbsolutePath().toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("npm_config_registry");
        pb.environment().remove("AIRLOCK_TOKEN");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    List<String> args(boolean asJson, String... extra) throws IOException {
        List<String> a = new ArrayList<>(
                List.of("--registry", fx.url, "--lockfile", fx.writeLock().toString()));
        if (asJson) {
            a.add("--json");
        }
        a.addAll(List.of(extra));
        return a;
    }

    /** Runs both verifiers with --json; they must agree on the exit code and on every byte of meaning. */
    JsonNode both(int expected, String... extra) throws Exception {
        Run j = java(args(true, extra));
        Run n = node(args(true, extra));
        assertThat(j.code()).as("java exit; stderr %s", j.err()).isEqualTo(expected);
        assertThat(n.code()).as("node exit; stderr %s", n.err()).isEqualTo(expected);
        JsonNode report = json.readTree(j.out());
        assertThat(json.readTree(n.out()))
                .as("the Node report equals the Java report")
                .isEqualTo(report);
        return report;
    }

    static JsonNode row(JsonNode report, String name) {
        for (JsonNode p : report.get("packages")) {
            if (p.get("name").asText().equals(name)) {
                return p.get("checks");
            }
        }
        throw new AssertionError("no row for " + name + " in " + report.toPrettyString());
    }

    /** Both verifiers exit 1 and name {@code name}'s {@code check} with {@code reason}; other packages pass. */
    JsonNode fails(String name, String check, String reason, String... extra) throws Exception {
        JsonNode report = both(1, extra);
        JsonNode c = row(report, name).get(check);
        assertThat(c.get("result").asText()).as(report.toPrettyString()).isEqualTo("fail");
        assertThat(c.get("reason").asText()).contains(reason);
        for (JsonNode p : report.get("packages")) {
            if (!p.get("name").asText().equals(name)) {
                p.get("checks")
                        .forEach(k -> assertThat(k.get("result").asText()).isNotEqualTo("fail"));
            }
        }
        return report;
    }

    String pinnedKey() {
        return fx.logKey.verifierText();
    }

    @Test
    void anHonestLockfilePassesEveryCheck() throws Exception {
        JsonNode r = both(0, "--policy", policy.toString(), "--log-key", pinnedKey());
        JsonNode widget = row(r, "@acme/widget");
        for (String c : Report.CHECKS) {
            assertThat(widget.get(c).get("result").asText()).as(c).isEqualTo("ok");
        }
        JsonNode plain = row(r, "plain");
        assertThat(plain.get("signature").get("result").asText()).isEqualTo("ok");
        assertThat(plain.get("provenance").get("result").asText()).isEqualTo("n/a");
        assertThat(plain.get("approval").get("result").asText()).isEqualTo("ok");
        assertThat(plain.get("log").get("result").asText()).isEqualTo("ok");
        assertThat(plain.get("policy").get("result").asText()).isEqualTo("n/a");
        assertThat(r.get("summary").toString()).isEqualTo("{\"checked\":2,\"passed\":2,\"failed\":0,\"elsewhere\":1}");
        assertThat(r.get("warnings")).isEmpty();

        Run j = java(args(false, "--policy", policy.toString(), "--log-key", pinnedKey()));
        Run n = node(args(false, "--policy", policy.toString(), "--log-key", pinnedKey()));
        assertThat(n.out()).isEqualTo(j.out());
        assertThat(j.out())
                .contains("PACKAGE       VERSION  SIGNATURE  PROVENANCE  APPROVAL  LOG  POLICY")
                .contains("plain         1.0.0    ok         \u2014           ok        ok   \u2014")
                .contains("2 package(s) from " + fx.url + " checked: 2 passed, 0 failed; 1 resolved elsewhere");
    }

    @Test
    void aFetchedLogKeyWorksWithAWarningAndAPinnedCheckpointOrNodeModulesToo() throws Exception {
        JsonNode r = both(0);
        assertThat(r.get("warnings").get(0).asText()).contains("the log key was fetched from the registry");
        Path cp = dir.resolve("checkpoint.txt");
        Files.writeString(cp, fx.checkpoint(fx.logKey));
        both(0, "--checkpoint", cp.toString(), "--log-key", pinnedKey());
        Path nm = Files.createDirectories(dir.resolve("app/node_modules"));
        Files.copy(fx.writeLock(), nm.resolve(".package-lock.json"));
        List<String> a = List.of("--registry", fx.url, "--node-modules", nm.toString(), "--json");
        assertThat(java(a).code()).isZero();
        assertThat(node(a).code()).isZero();
    }

    @Test
    void aTarballWhoseIntegrityDiffersFromTheSignedOneFails() throws Exception {
        fx.lockEntry("plain").put("integrity", VerifyFixture.integrity("evil".getBytes(StandardCharsets.UTF_8)));
        JsonNode r = fails("plain", "signature", "the lockfile's integrity is not the one the registry signed");
        assertThat(row(r, "plain").get("approval").get("reason").asText())
                .contains("the approval attestation is for another tarball");
    }

    @Test
    void aSignatureByAnUnknownKeyFails() throws Exception {
        String message =
                "plain@1.0.0:" + fx.dist("plain", "1.0.0").get("integrity").asText();
        ((ObjectNode) fx.dist("plain", "1.0.0").get("signatures").get(0))
                .put("keyid", fx.otherKeyid)
                .put("sig", VerifyFixture.sign(fx.otherKey.getPrivate(), message.getBytes(StandardCharsets.UTF_8)));
        fails("plain", "signature", "signed by an unknown key " + fx.otherKeyid);
    }

    @Test
    void aSignatureMovedFromAnotherVersionFails() throws Exception {
        fx.release("plain", "0.9.0", null, "ann", "totp");
        fx.release("plain", "1.0.0", null, "ann", "totp"); // the lockfile keeps 1.0.0
        fx.dist("plain", "1.0.0")
                .set("signatures", fx.dist("plain", "0.9.0").get("signatures").deepCopy());
        fails("plain", "signature", "the signature does not verify over plain@1.0.0:<integrity>");
    }

    @Test
    void aKeyThatExpiredBeforeThePublicationFails() throws Exception {
        ((ObjectNode) fx.keys.get("keys").get(0)).put("expires", "2026-01-01T00:00:00.000Z");
        JsonNode r = both(1);
        assertThat(row(r, "plain").get("signature").get("reason").asText())
                .isEqualTo("signed by key " + fx.keyid + ", which expired before the version was published");
        assertThat(row(r, "plain").get("approval").get("reason").asText()).contains("expired before the version");
    }

    @Test
    void anApprovalAttestationForAnotherPackageFails() throws Exception {
        String integrity = fx.dist("plain", "1.0.0").get("integrity").asText();
        fx.envelope("plain", "1.0.0", AttestationChecks.APPROVAL)
                .set(
                        "bundle",
                        fx.dsse(
                                fx.approvalStatement("evil", "1.0.0", integrity, "ann", "totp"),
                                fx.key.getPrivate(),
                                fx.keyid));
        fails("plain", "approval", "the approval attestation is for pkg:npm/evil@1.0.0, not pkg:npm/plain@1.0.0");
    }

    @Test
    void anApprovalAttestationForAnotherDigestFails() throws Exception {
        String other = VerifyFixture.integrity("other tarball".getBytes(StandardCharsets.UTF_8));
        fx.envelope("plain", "1.0.0", AttestationChecks.APPROVAL)
                .set(
                        "bundle",
                        fx.dsse(
                                fx.approvalStatement("plain", "1.0.0", other, "ann", "totp"),
                                fx.key.getPrivate(),
                                fx.keyid));
        fails(
                "plain",
                "approval",
                "the approval attestation is for another tarball (sha512 "
                        + VerifyFixture.sha512Hex(other).substring(0, 16));
    }

    @Test
    void aDsseSignatureThatDoesNotVerifyFails() throws Exception {
        String integrity = fx.dist("plain", "1.0.0").get("integrity").asText();
        String forged = VerifyFixture.B64.encodeToString(
                fx.approvalStatement("plain", "1.0.0", integrity, "ann", "security-key", "eve", "security-key")
                        .toString()
                        .getBytes(StandardCharsets.UTF_8));
        ((ObjectNode) fx.envelope("plain", "1.0.0", AttestationChecks.APPROVAL)
                        .get("bundle")
                        .get("dsseEnvelope"))
                .put("payload", forged);
        fails("plain", "approval", "the approval attestation's DSSE signature does not verify with registry key");
    }

    @Test
    void anApprovalAttestationSignedByAnUnknownKeyFails() throws Exception {
        String integrity = fx.dist("plain", "1.0.0").get("integrity").asText();
        fx.envelope("plain", "1.0.0", AttestationChecks.APPROVAL)
                .set(
                        "bundle",
                        fx.dsse(
                                fx.approvalStatement("plain", "1.0.0", integrity, "ann", "totp"),
                                fx.otherKey.getPrivate(),
                                fx.otherKeyid));
        fails("plain", "approval", "the approval attestation is signed by an unknown key " + fx.otherKeyid);
    }

    @Test
    void aMissingApprovalAttestationFailsUnlessThePolicyAllowsIt() throws Exception {
        ArrayNode list = (ArrayNode) fx.attestations.get("plain@1.0.0").get("attestations");
        list.removeAll();
        fails("plain", "approval", "no approval attestation: the registry serves none for it");
        Path allow = dir.resolve("allow.json");
        Files.writeString(allow, "{\"allowUnattested\":[\"pla*\"]}");
        JsonNode r = both(0, "--policy", allow.toString());
        assertThat(row(r, "plain").get("approval").get("result").asText()).isEqualTo("n/a");
    }

    @Test
    void anAttestationWhoseLogEntryIsNotInTheLogFails() throws Exception {
        int index = fx.envelope("plain", "1.0.0", AttestationChecks.APPROVAL)
                .get("log")
                .get("index")
                .asInt();
        // the registry's log holds something else at that index: the entry the attestation shows was never logged
        fx.log.set(index, fx.log.get(index).replace("\"at\":1767225600000", "\"at\":1767225600001"));
        fails("plain", "log", "log entry " + index + " is not in the log", "--log-key", pinnedKey());
    }

    @Test
    void anAttestationNotYetSequencedFails() throws Exception {
        fx.envelope("plain", "1.0.0", AttestationChecks.APPROVAL).remove("log");
        fails("plain", "log", "not yet in the log");
    }

    @Test
    void aProofThatDoesNotLeadToThePinnedCheckpointFails() throws Exception {
        Path cp = dir.resolve("forked.txt");
        Files.writeString(
                cp, Checkpoint.sign(fx.logKey, fx.log.size(), new byte[32]).text());
        JsonNode r = both(1, "--checkpoint", cp.toString(), "--log-key", pinnedKey());
        for (String name : List.of("plain", "@acme/widget")) {
            assertThat(row(r, name).get("log").get("reason").asText())
                    .contains("is not in the log: its inclusion proof does not lead to the checkpoint's root");
        }
    }

    @Test
    void aCheckpointNotSignedByThePinnedKeyFails() throws Exception {
        NoteKey impostor = NoteKey.generate("verify.test/audit");
        Path cp = dir.resolve("impostor.txt");
        Files.writeString(cp, fx.checkpoint(impostor));
        JsonNode r = both(1, "--checkpoint", cp.toString(), "--log-key", pinnedKey());
        assertThat(row(r, "plain").get("log").get("reason").asText())
                .isEqualTo("the pinned checkpoint: the checkpoint is not signed by the log key verify.test/audit");
        fx.checkpointOverride = fx.checkpoint(impostor);
        r = both(1, "--log-key", pinnedKey());
        assertThat(row(r, "@acme/widget").get("log").get("reason").asText())
                .isEqualTo("the checkpoint is not signed by the log key verify.test/audit");
    }

    @Test
    void anEntryAfterThePinnedCheckpointIsProvedThroughAConsistencyProof() throws Exception {
        Path cp = dir.resolve("old-checkpoint.txt");
        Files.writeString(cp, fx.checkpoint(fx.logKey));
        fx.release("later", "1.0.0", null, "ann", "totp");
        for (int i = 0; i < 6; i++) {
            fx.log.add("{\"action\":\"user.create\",\"at\":" + (100 + i) + ",\"v\":1}");
        }
        JsonNode r = both(0, "--checkpoint", cp.toString(), "--log-key", pinnedKey());
        assertThat(row(r, "later").get("log").get("result").asText()).isEqualTo("ok");
        // the registry rewrote an entry the pinned checkpoint covers: its log no longer extends what was pinned
        fx.log.set(0, fx.log.get(0).replace("\"at\":0", "\"at\":9"));
        r = both(1, "--checkpoint", cp.toString(), "--log-key", pinnedKey());
        assertThat(row(r, "later").get("log").get("reason").asText())
                .startsWith("the log is not an extension of the pinned checkpoint: no consistency proof from its");
        // and the entries the pinned checkpoint covers no longer lead to its root either
        assertThat(row(r, "plain").get("log").get("reason").asText()).contains("is not in the log");
    }

    @Test
    void oneApprovalWhereTwoAreRequiredFailsThePolicy() throws Exception {
        fx.release("@acme/gadget", "2.0.0", "github.com/acme/gadget", "mia", "security-key");
        fails(
                "@acme/gadget",
                "policy",
                "needs 2 approval(s) with security-key, has 1 (mia security-key)",
                "--policy",
                policy.toString());
    }

    @Test
    void totpWhereASecurityKeyIsRequiredFailsThePolicy() throws Exception {
        fx.release("@acme/gadget", "2.0.0", "github.com/acme/gadget", "mia", "totp", "bob", "totp");
        fails(
                "@acme/gadget",
                "policy",
                "needs 2 approval(s) with security-key, has 0 (mia totp, bob totp)",
                "--policy",
                policy.toString());
    }

    @Test
    void provenanceFromAnotherRepositoryFailsThePolicy() throws Exception {
        fx.release("@acme/gadget", "2.0.0", "github.com/evil/gadget", "mia", "security-key", "bob", "security-key");
        fails(
                "@acme/gadget",
                "policy",
                "built from github.com/evil/gadget, not github.com/acme/*",
                "--policy",
                policy.toString());
        ((ArrayNode) fx.attestations.get("@acme/gadget@2.0.0").get("attestations")).remove(0);
        fails(
                "@acme/gadget",
                "policy",
                "no verified provenance (required from github.com/acme/*)",
                "--policy",
                policy.toString());
    }

    @Test
    void provenanceForAnotherTarballOrWithABadSignatureFails() throws Exception {
        String other = VerifyFixture.integrity("other".getBytes(StandardCharsets.UTF_8));
        ObjectNode prov = fx.envelope("@acme/widget", "1.2.3", "https://slsa.dev/provenance/v1");
        ObjectNode honest = prov.get("bundle").deepCopy();
        prov.set("bundle", fx.provenance("@acme/widget", "1.2.3", other, "github.com/acme/widget"));
        fails("@acme/widget", "provenance", "the provenance is for another tarball");
        ObjectNode bad = honest.deepCopy();
        String integrity = fx.dist("@acme/widget", "1.2.3").get("integrity").asText();
        String forged = VerifyFixture.B64.encodeToString(
                fx.statement("@acme/widget", "1.2.3", integrity, "https://slsa.dev/provenance/v1")
                        .toString()
                        .getBytes(StandardCharsets.UTF_8));
        ((ObjectNode) bad.get("dsseEnvelope")).put("payload", forged);
        prov.set("bundle", bad);
        fails("@acme/widget", "provenance", "the provenance's DSSE signature does not verify with its certificate");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path bad = dir.resolve("bad-policy.json");
        Files.writeString(bad, "{\"rules\":[{\"packages\":\"*\",\"approvals\":{\"mni\":2}}]}");
        List<List<String>> cases = List.of(
                List.of(
                        "--registry",
                        fx.url,
                        "--lockfile",
                        dir.resolve("absent.json").toString()),
                List.of("--registry", fx.url, "--lockfile", fx.writeLock().toString(), "--policy", bad.toString()),
                List.of("--registry", fx.url, "--lockfile", fx.writeLock().toString(), "--node-modules", "x"),
                List.of("--registry", fx.url, "--lockfile", fx.writeLock().toString(), "--log-key", "nope"),
                List.of("--lockfile", fx.writeLock().toString(), "--bogus"));
        for (List<String> c : cases) {
            assertThat(java(c).code()).as("java %s", c).isEqualTo(2);
            assertThat(node(c).code()).as("node %s", c).isEqualTo(2);
        }
        assertThat(java(cases.get(1)).err()).contains("unknown field \"mni\" in the policy's approvals");
        assertThat(node(cases.get(1)).err()).contains("unknown field \"mni\" in the policy's approvals");
    }
}
