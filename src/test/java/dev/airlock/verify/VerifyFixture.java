package dev.airlock.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.airlock.audit.Checkpoint;
import dev.airlock.audit.MerkleTree;
import dev.airlock.audit.NoteKey;
import dev.airlock.testing.TestCertificates;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry that serves, for a handful of packages, exactly the documents of the issue-14 contract: {@code
 * /-/npm/v1/keys} with a test ECDSA P-256 key, packuments whose versions carry {@code dist.signatures}, the
 * attestations endpoint with a provenance bundle (signed by a test certificate made with openssl) and a DSSE approval
 * attestation, and the audit-log endpoints over a real RFC 9162 tree signed with a test Ed25519 note key (Airlock's
 * own {@link MerkleTree} and {@link Checkpoint}). Tests tamper with the documents between runs of the verifiers.
 */
final class VerifyFixture implements AutoCloseable {
    static final Base64.Encoder B64 = Base64.getEncoder();
    final ObjectMapper json = new ObjectMapper();
    final Path dir;
    final KeyPair key = ecKey();
    final String keyid = VerifyCrypto.keyId(key.getPublic().getEncoded());
    final KeyPair otherKey = ecKey();
    final String otherKeyid = VerifyCrypto.keyId(otherKey.getPublic().getEncoded());
    final NoteKey logKey = NoteKey.generate("verify.test/audit");
    final List<String> log = new ArrayList<>();
    final ObjectNode keys = json.createObjectNode();
    final Map<String, ObjectNode> packuments = new ConcurrentHashMap<>();
    final Map<String, ObjectNode> attestations = new ConcurrentHashMap<>();
    final ObjectNode lock = json.createObjectNode();
    final PrivateKey ciKey;
    final byte[] ciCertificate;
    final Instant published = Instant.parse("2026-11-30T10:00:01.000Z");
    volatile String checkpointOverride;
    private final HttpServer server;
    final String url;

    VerifyFixture(Path dir) throws IOException, GeneralSecurityException {
        this.dir = dir;
        TestCertificates.make(dir);
        String pem = Files.readString(dir.resolve("ca.key"));
        ciKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pemBytes(pem)));
        ciCertificate = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("ca.pem"))))
                .getEncoded();
        ObjectNode k = keys.putArray("keys").addObject();
        k.putNull("expires");
        k.put("keyid", keyid);
        k.put("keytype", "ecdsa-sha2-nistp256");
        k.put("scheme", "ecdsa-sha2-nistp256");
        k.put("key", B64.encodeToString(key.getPublic().getEncoded()));
        lock.put("name", "consumer").put("lockfileVersion", 3);
        lock.putObject("packages").putObject("").put("name", "consumer");
        for (int i = 0; i < 5; i++) {
            log.add("{\"action\":\"user.create\",\"at\":" + i + ",\"target\":\"user:u" + i + "\",\"v\":1}");
        }
        server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private static byte[] pemBytes(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(PrivateKey k, byte[] message) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(k);
            s.update(message);
            return B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String integrity(byte[] tarball) {
        return "sha512-" + B64.encodeToString(VerifyCrypto.digest("SHA-512", tarball));
    }

    static String sha512Hex(String integrity) {
        return VerifyCrypto.sha512Hex(integrity);
    }

    /**
     * Publishes a version the way the contract says Airlock serves one: signed, with an approval attestation (by the
     * approvals given as user/factor pairs) recorded in the log, and provenance from {@code repository} (null: none).
     */
    void release(String name, String version, String repository, String... approvals) {
        String integrity = integrity((name + "@" + version + " tarball").getBytes(StandardCharsets.UTF_8));
        ObjectNode packument = packuments.computeIfAbsent(name, n -> {
            ObjectNode p = json.createObjectNode().put("name", n);
            p.putObject("versions");
            p.putObject("time");
            return p;
        });
        ObjectNode dist = ((ObjectNode) packument.get("versions"))
                .putObject(version)
                .put("name", name)
                .put("version", version)
                .putObject("dist");
        dist.put("integrity", integrity).put("tarball", url + name + "/-/x-" + version + ".tgz");
        dist.putArray("signatures")
                .addObject()
                .put("keyid", keyid)
                .put("sig", sign(key.getPrivate(), (name + "@" + version + ":" + integrity).getBytes(UTF_8)));
        ((ObjectNode) packument.get("time")).put(version, published.toString());
        ArrayNode list = json.createArrayNode();
        if (repository != null) {
            list.addObject()
                    .put("predicateType", "https://slsa.dev/provenance/v1")
                    .set("bundle", provenance(name, version, integrity, repository));
        }
        ObjectNode approval = list.addObject().put("predicateType", AttestationChecks.APPROVAL);
        ObjectNode bundle = dsse(approvalStatement(name, version, integrity, approvals), key.getPrivate(), keyid);
        approval.set("bundle", bundle);
        String payload = bundle.path("dsseEnvelope").path("payload").asText();
        approval.set("log", logEntry(name, version, payload));
        attestations.put(
                name + "@" + version, (ObjectNode) json.createObjectNode().set("attestations", list));
        ((ObjectNode) lock.get("packages"))
                .putObject("node_modules/" + name)
                .put("version", version)
                .put("resolved", url + name + "/-/x-" + version + ".tgz")
                .put("integrity", integrity);
    }

    private static final java.nio.charset.Charset UTF_8 = StandardCharsets.UTF_8;

    /** Appends the audit-log entry of an approval attestation and answers the attestation's {@code log} object. */
    ObjectNode logEntry(String name, String version, String payload) {
        String hash = HexFormat.of().formatHex(VerifyCrypto.sha256(payload.getBytes(UTF_8)));
        String entry = "{\"action\":\"package.publish\",\"actor\":{\"credential\":\"cli\",\"user\":\"@cli\"},"
                + "\"at\":1767225600000,\"detail\":{\"envelopeSha256\":\"" + hash + "\",\"version\":\"" + version
                + "\"},\"outcome\":\"success\",\"target\":\"package:" + name + "\",\"v\":1}";
        log.add(entry);
        return json.createObjectNode().put("index", log.size() - 1).put("entry", entry);
    }

    ObjectNode approvalStatement(String name, String version, String integrity, String... approvals) {
        ObjectNode st = statement(name, version, integrity, AttestationChecks.APPROVAL);
        ObjectNode p = st.putObject("predicate");
        p.put("registry", "https://registry.example.com/");
        p.putObject("uploader").put("kind", "user").put("user", "ci-bot");
        ArrayNode list = p.putArray("approvals");
        for (int i = 0; i + 1 < approvals.length; i += 2) {
            list.addObject()
                    .put("user", approvals[i])
                    .put("at", published.toString())
                    .put("factor", approvals[i + 1]);
        }
        p.putObject("rule").put("approvalsRequired", Math.max(1, list.size())).put("maintainers", 3);
        p.putObject("policy").put("staging", true).put("mfa", "publish");
        p.put("direct", list.isEmpty());
        p.put("publishedAt", published.toString());
        return st;
    }

    ObjectNode statement(String name, String version, String integrity, String predicateType) {
        ObjectNode st = json.createObjectNode().put("_type", "https://in-toto.io/Statement/v1");
        st.putArray("subject")
                .addObject()
                .put("name", VerifyCrypto.purl(name, version))
                .putObject("digest")
                .put("sha512", sha512Hex(integrity));
        st.put("predicateType", predicateType);
        return st;
    }

    /** A Sigstore-shaped bundle with a DSSE envelope over {@code statement}, signed by {@code signer}. */
    ObjectNode dsse(ObjectNode statement, PrivateKey signer, String signerKeyid) {
        byte[] payload = statement.toString().getBytes(UTF_8);
        ObjectNode b = json.createObjectNode().put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
        ObjectNode material = b.putObject("verificationMaterial");
        material.putObject("publicKey").put("hint", signerKeyid);
        material.putArray("tlogEntries");
        ObjectNode env = b.putObject("dsseEnvelope")
                .put("payloadType", AttestationChecks.IN_TOTO)
                .put("payload", B64.encodeToString(payload));
        env.putArray("signatures")
                .addObject()
                .put("keyid", signerKeyid)
                .put("sig", sign(signer, VerifyCrypto.pae(AttestationChecks.IN_TOTO, payload)));
        return b;
    }

    ObjectNode provenance(String name, String version, String integrity, String repository) {
        ObjectNode st = statement(name, version, integrity, "https://slsa.dev/provenance/v1");
        st.putObject("predicate")
                .putObject("buildDefinition")
                .put("buildType", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1")
                .putObject("externalParameters")
                .putObject("workflow")
                .put("ref", "refs/heads/main")
                .put("repository", "https://" + repository)
                .put("path", ".github/workflows/release.yml");
        ObjectNode b = dsse(st, ciKey, "");
        ObjectNode material = (ObjectNode) b.get("verificationMaterial");
        material.remove("publicKey");
        material.putObject("certificate").put("rawBytes", B64.encodeToString(ciCertificate));
        ((ArrayNode) material.get("tlogEntries")).addObject().put("logIndex", "42");
        return b;
    }

    ObjectNode envelope(String name, String version, String predicateType) {
        for (var a : attestations.get(name + "@" + version).get("attestations")) {
            if (a.path("predicateType").asText().equals(predicateType)) {
                return (ObjectNode) a;
            }
        }
        throw new IllegalArgumentException("no " + predicateType + " for " + name + "@" + version);
    }

    ObjectNode dist(String name, String version) {
        return (ObjectNode) packuments.get(name).path("versions").path(version).path("dist");
    }

    ObjectNode lockEntry(String name) {
        return (ObjectNode) lock.path("packages").path("node_modules/" + name);
    }

    Path writeLock() throws IOException {
        Path f = dir.resolve("package-lock.json");
        Files.writeString(f, lock.toPrettyString());
        return f;
    }

    private MerkleTree.Nodes nodes() {
        List<String> entries = List.copyOf(log);
        return (level, idx) -> root(entries.subList((int) (idx << level), (int) ((idx + 1) << level)));
    }

    private static byte[] root(List<String> leaves) {
        if (leaves.size() == 1) {
            return MerkleTree.leafHash(leaves.get(0).getBytes(UTF_8));
        }
        int k = Integer.highestOneBit(leaves.size() - 1);
        return MerkleTree.nodeHash(root(leaves.subList(0, k)), root(leaves.subList(k, leaves.size())));
    }

    /** The log's checkpoint at its current size, signed by {@code signer}. */
    String checkpoint(NoteKey signer) {
        return Checkpoint.sign(signer, log.size(), MerkleTree.hash(nodes(), 0, log.size()))
                .text();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String query = ex.getRequestURI().getRawQuery();
        int status = 200;
        String body;
        if (path.equals("/-/npm/v1/keys")) {
            body = keys.toString();
        } else if (path.equals("/-/airlock/v1/log/key")) {
            body = logKey.verifierText();
        } else if (path.equals("/-/airlock/v1/log/checkpoint")) {
            body = checkpointOverride != null ? checkpointOverride : checkpoint(logKey);
        } else if (path.equals("/-/airlock/v1/log/proof/inclusion") && query != null) {
            Map<String, Long> q = new java.util.HashMap<>();
            for (String kv : query.split("&")) {
                q.put(kv.substring(0, kv.indexOf('=')), Long.parseLong(kv.substring(kv.indexOf('=') + 1)));
            }
            ArrayNode hashes = json.createObjectNode().putArray("hashes");
            MerkleTree.inclusionProof(nodes(), q.get("index"), q.get("size"))
                    .forEach(h -> hashes.add(B64.encodeToString(h)));
            body = json.createObjectNode()
                    .put("index", q.get("index"))
                    .put("size", q.get("size"))
                    .set("hashes", hashes)
                    .toString();
        } else if (path.equals("/-/airlock/v1/log/proof/consistency") && query != null) {
            Map<String, Long> q = new java.util.HashMap<>();
            for (String kv : query.split("&")) {
                q.put(kv.substring(0, kv.indexOf('=')), Long.parseLong(kv.substring(kv.indexOf('=') + 1)));
            }
            ArrayNode hashes = json.createObjectNode().putArray("hashes");
            MerkleTree.consistencyProof(nodes(), q.get("from"), q.get("to"))
                    .forEach(h -> hashes.add(B64.encodeToString(h)));
            body = json.createObjectNode()
                    .put("from", q.get("from"))
                    .put("to", q.get("to"))
                    .set("hashes", hashes)
                    .toString();
        } else if (path.startsWith("/-/airlock/v1/attestations/")) {
            ObjectNode a =
                    attestations.get(URLDecoder.decode(path.substring("/-/airlock/v1/attestations/".length()), UTF_8));
            status = a == null ? 404 : 200;
            body = a == null ? "{\"error\":\"no attestations\"}" : a.toString();
        } else {
            ObjectNode p = packuments.get(URLDecoder.decode(path.substring(1), UTF_8));
            status = p == null ? 404 : 200;
            body = p == null ? "{\"error\":\"not found\"}" : p.toString();
        }
        byte[] bytes = body.getBytes(UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
