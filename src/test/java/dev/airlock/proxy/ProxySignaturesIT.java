package dev.airlock.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.npm.Corgi;
import dev.airlock.signing.RegistrySigner;
import dev.airlock.testing.Cli;
import dev.airlock.testing.CountingUpstream;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Npm;
import dev.airlock.testing.Pacote;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import dev.airlock.testing.Verdaccio;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Registry signatures of proxied versions (docs/adr/0010), checked by npm's own pacote ({@code verifySignatures}, the
 * proxy's {@code /-/npm/v1/keys} as npm passes them). The upstream is a second Airlock, which signs what it
 * publishes, behind a relay that counts the proxy's requests; the tests rewrite the upstream's stored signatures the
 * way an upstream that signs nothing, or signs with a key it does not serve, would serve them.
 */
class ProxySignaturesIT {
    private final TestRegistry upstream = TestRegistry.start();
    private final CountingUpstream relay = new CountingUpstream().target(upstream.url());
    private final TestRegistry proxy = TestRegistry.start(Map.of("proxy.upstream", relay.url()));

    @BeforeEach
    void publisher() {
        upstream.addUser("bob", "bob-password-long");
    }

    @AfterEach
    void close() {
        proxy.close();
        relay.close();
        upstream.close();
    }

    private void publish(String name, String version) {
        upstream.publishDirect(Tarballs.manifest(name, version));
    }

    /** What the upstream serves as the version's dist.signatures from now on (null: none). */
    private void upstreamSignatures(String name, String version, JsonNode signatures) {
        String json = upstream.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT manifest_json FROM versions WHERE package = ? AND version = ?")
                .bind(0, name)
                .bind(1, version)
                .mapTo(String.class)
                .one());
        ObjectNode m = (ObjectNode) Json.parse(json.getBytes(StandardCharsets.UTF_8));
        if (signatures == null) {
            m.withObject("/dist").remove("signatures");
        } else {
            m.withObject("/dist").set("signatures", signatures);
        }
        upstream.airlock.db.write(tx -> tx.handle()
                .createUpdate("UPDATE versions SET manifest_json = ? WHERE package = ? AND version = ?")
                .bind(0, Json.write(m))
                .bind(1, name)
                .bind(2, version)
                .execute());
        upstream.airlock.packageUseCases.versions().rebuildAll();
    }

    private JsonNode servedSignatures(String name, String version) {
        return proxy.http
                .get(name, null)
                .json()
                .path("versions")
                .path(version)
                .path("dist")
                .path("signatures");
    }

    private int remembered(String name) {
        return proxy.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT COUNT(*) FROM proxy_signatures WHERE package = ?")
                .bind(0, name)
                .mapTo(Integer.class)
                .one());
    }

    private static void verifiedBy(JsonNode result, String spec, String keyid) {
        JsonNode one = result.path(spec);
        assertThat(one.path("ok").asBoolean()).as(spec + ": " + one).isTrue();
        assertThat(one.path("signatures")).as(spec + ": " + one).hasSize(1);
        assertThat(one.path("signatures").get(0).path("keyid").asText()).isEqualTo(keyid);
    }

    /** Past the proxy's max age (300 s by default): the next read revalidates with the upstream. */
    private void expireCopies(Duration extra) {
        proxy.clock.advance(Duration.ofSeconds(301).plus(extra));
    }

    @Test
    void theUpstreamsSignaturesPassThroughAndItsKeyIsServedAfterOurs() {
        publish("signed-lib", "1.0.0");
        String theirs = upstream.airlock.signer.currentKeyid();
        String ours = proxy.airlock.signer.currentKeyid();
        assertThat(theirs).isNotEqualTo(ours);

        JsonNode result = Pacote.verify(proxy.url(), "signed-lib@1.0.0");
        verifiedBy(result, "signed-lib@1.0.0", theirs);

        // the very bytes the upstream signed, in both documents; nothing signed (or remembered) here
        JsonNode upstreamSigs = upstream.http
                .get("signed-lib", null)
                .json()
                .path("versions")
                .path("1.0.0")
                .path("dist")
                .path("signatures");
        assertThat(servedSignatures("signed-lib", "1.0.0")).isEqualTo(upstreamSigs);
        JsonNode corgi =
                proxy.http.get("signed-lib", null, "Accept", Corgi.MEDIA_TYPE).json();
        assertThat(corgi.path("versions").path("1.0.0").path("dist").path("signatures"))
                .isEqualTo(upstreamSigs);
        assertThat(remembered("signed-lib")).isZero();

        // ours first, then the upstream's (exactly what the upstream serves)
        JsonNode keys = proxy.http.get("-/npm/v1/keys", null).json().path("keys");
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0).path("keyid").asText()).isEqualTo(ours);
        assertThat(keys.get(1))
                .isEqualTo(upstream.http
                        .get("-/npm/v1/keys", null)
                        .json()
                        .path("keys")
                        .get(0));
        assertThat(relay.count("/-/npm/v1/keys")).isEqualTo(1);

        // a second package from the same upstream: its keys are a day fresh, not asked again
        publish("signed-other", "1.0.0");
        verifiedBy(Pacote.verify(proxy.url(), "signed-other@1.0.0"), "signed-other@1.0.0", theirs);
        assertThat(relay.count("/-/npm/v1/keys")).isEqualTo(1);
        // a day later they are
        proxy.clock.advance(Duration.ofHours(24));
        verifiedBy(Pacote.verify(proxy.url(), "signed-other@1.0.0"), "signed-other@1.0.0", theirs);
        publish("signed-third", "1.0.0");
        verifiedBy(Pacote.verify(proxy.url(), "signed-third@1.0.0"), "signed-third@1.0.0", theirs);
        assertThat(relay.count("/-/npm/v1/keys")).isEqualTo(2);
    }

    @Test
    void unsignedVersionsAreSignedHereOnceAndTheSignatureIsReusedAfterARefresh() {
        publish("plain", "1.0.0");
        upstreamSignatures("plain", "1.0.0", null);
        String ours = proxy.airlock.signer.currentKeyid();

        verifiedBy(Pacote.verify(proxy.url(), "plain@1.0.0"), "plain@1.0.0", ours);
        JsonNode first = servedSignatures("plain", "1.0.0");
        assertThat(first).hasSize(1);
        assertThat(remembered("plain")).isEqualTo(1);

        // a new upstream version, unsigned too: the refreshed packument signs only it
        publish("plain", "1.1.0");
        upstreamSignatures("plain", "1.1.0", null);
        expireCopies(Duration.ZERO);
        JsonNode result = Pacote.verify(proxy.url(), "plain@1.0.0", "plain@1.1.0");
        verifiedBy(result, "plain@1.0.0", ours);
        verifiedBy(result, "plain@1.1.0", ours);
        assertThat(relay.lastStatus("/plain")).isEqualTo(200);
        assertThat(servedSignatures("plain", "1.0.0")).isEqualTo(first); // byte-identical: not signed again
        assertThat(remembered("plain")).isEqualTo(2);
        JsonNode corgi =
                proxy.http.get("plain", null, "Accept", Corgi.MEDIA_TYPE).json();
        assertThat(corgi.path("versions").path("1.1.0").path("dist").path("signatures"))
                .isEqualTo(servedSignatures("plain", "1.1.0"));
        // the version document (read from the stored full document) carries it too
        assertThat(proxy.http.get("plain/1.1.0", null).json().path("dist").path("signatures"))
                .isEqualTo(servedSignatures("plain", "1.1.0"));
    }

    @Test
    void aSignatureByAKeyTheUpstreamDoesNotServeIsReplacedByOurs() throws Exception {
        publish("forged", "1.0.0");
        String integrity = upstream.http
                .get("forged", null)
                .json()
                .path("versions")
                .path("1.0.0")
                .path("dist")
                .path("integrity")
                .asText();
        // a valid signature over the right message, by a key the upstream's /-/npm/v1/keys does not list
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        var pair = g.generateKeyPair();
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(pair.getPrivate());
        s.update(RegistrySigner.versionMessage("forged", "1.0.0", integrity));
        String stray = "SHA256:"
                + Base64.getEncoder()
                        .withoutPadding()
                        .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(pair.getPublic().getEncoded()));
        ArrayNode sigs = Json.MAPPER.createArrayNode();
        sigs.addObject().put("keyid", stray).put("sig", Base64.getEncoder().encodeToString(s.sign()));
        upstreamSignatures("forged", "1.0.0", sigs);

        String ours = proxy.airlock.signer.currentKeyid();
        verifiedBy(Pacote.verify(proxy.url(), "forged@1.0.0"), "forged@1.0.0", ours);
        JsonNode served = servedSignatures("forged", "1.0.0");
        assertThat(served).hasSize(1);
        assertThat(served.get(0).path("keyid").asText()).isEqualTo(ours);
        assertThat(remembered("forged")).isEqualTo(1);
        JsonNode keys = proxy.http.get("-/npm/v1/keys", null).json().path("keys");
        assertThat(keys.findValuesAsText("keyid")).doesNotContain(stray).hasSize(2);

        // the unknown keyid made the proxy ask for the upstream's keys; asked again at most once an hour
        assertThat(relay.count("/-/npm/v1/keys")).isEqualTo(1);
        publish("forged", "1.0.1");
        expireCopies(Duration.ZERO);
        verifiedBy(Pacote.verify(proxy.url(), "forged@1.0.1"), "forged@1.0.1", upstream.airlock.signer.currentKeyid());
        assertThat(relay.count("/-/npm/v1/keys")).isEqualTo(1);
        publish("forged", "1.0.2");
        expireCopies(Duration.ofHours(1));
        JsonNode result = Pacote.verify(proxy.url(), "forged@1.0.0", "forged@1.0.2");
        verifiedBy(result, "forged@1.0.0", ours);
        verifiedBy(result, "forged@1.0.2", upstream.airlock.signer.currentKeyid());
        assertThat(relay.count("/-/npm/v1/keys")).isEqualTo(2);
        assertThat(servedSignatures("forged", "1.0.0")).isEqualTo(served);
        assertThat(List.of(remembered("forged"))).containsExactly(1);
    }

    @Test
    void aVerdaccioWithoutKeysGetsOurSignaturesAndAddsNoKey() throws Exception {
        java.nio.file.Path tmp = java.nio.file.Files.createTempDirectory("psign-verdaccio");
        try (Verdaccio verdaccio = Verdaccio.start()) {
            java.nio.file.Path dir = tmp.resolve("vlib");
            Files2.write(dir.resolve("package.json"), "{\"name\":\"vlib\",\"version\":\"1.0.0\"}");
            Files2.write(dir.resolve("index.js"), "module.exports = 1;\n");
            Npm npm = verdaccio.npm(tmp.resolve("npm-home"), verdaccio.addUser("vera", "correct-horse-1"));
            Cli.Result published = npm.run(dir, "publish");
            assertThat(published.exit()).as(published.toString()).isZero();
            assertThat(verdaccio
                            .packument("vlib")
                            .path("versions")
                            .path("1.0.0")
                            .path("dist")
                            .has("signatures"))
                    .isFalse();

            try (TestRegistry p = TestRegistry.start(Map.of("proxy.upstream", verdaccio.url()))) {
                String ours = p.airlock.signer.currentKeyid();
                verifiedBy(Pacote.verify(p.url(), "vlib@1.0.0"), "vlib@1.0.0", ours);
                // Verdaccio has no /-/npm/v1/keys (404): it has no keys, recorded as such (not asked again today)
                JsonNode keys = p.http.get("-/npm/v1/keys", null).json().path("keys");
                assertThat(keys.findValuesAsText("keyid")).containsExactly(ours);
                String stored = p.airlock.db.read(tx -> tx.handle()
                        .createQuery("SELECT keys_json FROM upstream_keys")
                        .mapTo(String.class)
                        .one());
                assertThat(stored).isEqualTo("{\"keys\":[]}");
            }
        } finally {
            Files2.deleteTree(tmp);
        }
    }
}
