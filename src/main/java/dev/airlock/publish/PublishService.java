package dev.airlock.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.accounts.User;
import dev.airlock.accounts.UserService;
import dev.airlock.attestations.AttestationService;
import dev.airlock.names.NameService;
import dev.airlock.packages.DistTags;
import dev.airlock.packages.NewVersion;
import dev.airlock.packages.PackageVersions;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.io.Spool;
import dev.airlock.policy.Action;
import dev.airlock.policy.Gate;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import dev.airlock.shared.Versions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns an npm publish body into a {@link NewVersion}: every check happens before anything is stored, then the
 * tarball is written under its hash and one transaction commits the version.
 */
public final class PublishService {
    /** Fields only the server may set; whatever a client sends for them is dropped. */
    private static final List<String> SERVER_FIELDS = List.of(
            "_npmUser",
            "maintainers",
            "_hasShrinkwrap",
            "hasInstallScript",
            "deprecated",
            "_attachments",
            "_rev",
            "readme",
            "airlock",
            "_resolved",
            "_integrity",
            "_from",
            "_shasum");

    private static final int MAX_README = 1 << 20;
    private final PackageVersions packages;
    private final UserService users;
    private final BlobStore blobs;
    private final TarballInspector inspector;
    private final long maxTarballBytes;
    private final Gate gate;
    private final NameService names;
    private final AttestationService attestations;

    public PublishService(
            PackageVersions packages,
            UserService users,
            BlobStore blobs,
            TarballInspector inspector,
            long maxTarballBytes,
            Gate gate,
            NameService names,
            AttestationService attestations) {
        this.attestations = attestations;
        this.gate = gate;
        this.names = names;
        this.packages = packages;
        this.users = users;
        this.blobs = blobs;
        this.inspector = inspector;
        this.maxTarballBytes = maxTarballBytes;
    }

    /** {@code npm publish}: validate, store the blob, ask the gate (direct publish, with which factor), commit. */
    public NewVersion publish(Actor actor, PackageName urlName, JsonNode body) {
        NewVersion version;
        AttestationService.Upload provenance;
        try {
            version = prepare(actor, urlName, body);
            provenance = attestations.verifyUpload(actor, version, body);
        } catch (AirlockException e) {
            throw packages.refused(actor, "package.publish", urlName.toString(), e, Map.of());
        }
        try {
            String factor = gate.authorise(actor, Action.PUBLISH, version.name());
            packages.publish(actor, version, factor, tx -> attestations.store(tx, version, provenance));
        } catch (AirlockException e) {
            throw packages.refused(
                    actor,
                    "package.publish",
                    urlName.toString(),
                    e,
                    Map.of("version", version.version(), "integrity", version.integrity()));
        }
        return version;
    }

    /** Where an upload's provenance is verified and its attestations stored (stage publish uses it too). */
    public AttestationService attestations() {
        return attestations;
    }

    /** Validates the body completely and stores the tarball blob (idempotent, content-addressed). */
    public NewVersion prepare(Actor actor, PackageName urlName, JsonNode body) {
        return prepare(actor, urlName, body, NameService.Origin.CLIENT);
    }

    /** {@link #prepare}; {@code origin} says which rules a new package's name follows (see {@link NameService.Origin}). */
    public NewVersion prepare(Actor actor, PackageName urlName, JsonNode body, NameService.Origin origin) {
        NameService.refuseReserved(urlName, origin);
        String name = urlName.toString();
        if (!name.equals(body.path("name").asText(null))) {
            throw AirlockException.badRequest("The package name in the body ("
                    + body.path("name").asText("missing") + ") does not match the URL (" + name + ").");
        }
        if (body.has("_id") && !name.equals(body.get("_id").asText())) {
            throw AirlockException.badRequest("The _id in the body does not match the package name " + name + ".");
        }
        JsonNode versions = body.get("versions");
        if (versions == null || !versions.isObject() || versions.size() != 1) {
            throw AirlockException.badRequest("A publish must contain exactly one version in \"versions\".");
        }
        String version = versions.fieldNames().next();
        Versions.require(version);
        JsonNode manifestNode = versions.get(version);
        if (!manifestNode.isObject()) {
            throw AirlockException.badRequest("versions[\"" + version + "\"] must be an object.");
        }
        ObjectNode manifest = (ObjectNode) manifestNode.deepCopy();
        if (!name.equals(manifest.path("name").asText(null))
                || !version.equals(manifest.path("version").asText(null))) {
            throw AirlockException.badRequest(
                    "The manifest's name and version must be " + name + " and " + version + ".");
        }
        if (manifest.path("private").asBoolean(false)) {
            throw AirlockException.badRequest("This package has been marked as private (\"private\": true); remove that"
                    + " field from package.json to publish it.");
        }
        String tag = tag(body, version);
        String access = access(body);
        packages.checkPublish(actor, urlName, version, access);
        names.requirePublishable(urlName, origin);
        Spool tarball = attachment(body, urlName, version);
        JsonNode dist = manifest.path("dist");
        MessageDigest sha1 = Hashes.digest("SHA-1");
        MessageDigest sha512 = Hashes.digest("SHA-512");
        digest(tarball, sha1, sha512);
        String shasum = Hashes.hex(sha1.digest());
        byte[] sha512Bytes = sha512.digest();
        String integrity = Hashes.sri("sha512", sha512Bytes);
        if (!dist.path("integrity").isTextual()
                || !integrityMatches(dist.get("integrity").asText(), integrity)) {
            throw new AirlockException(
                    ErrorCode.UNPROCESSABLE,
                    "Integrity mismatch: dist.integrity does not match the"
                            + " sha512 of the attached tarball. Nothing was published.");
        }
        if (!dist.path("shasum").isTextual() || !Hashes.same(dist.get("shasum").asText(), shasum)) {
            throw new AirlockException(
                    ErrorCode.UNPROCESSABLE,
                    "Integrity mismatch: dist.shasum does not match the"
                            + " sha1 of the attached tarball. Nothing was published.");
        }
        TarballInspector.Inspection inspection = inspector.inspect(tarball.open());
        ManifestCheck.requireSame(
                manifest, inspection.packageJson(), inspection.files().keySet());

        String readme =
                manifest.path("readme").isTextual() ? manifest.get("readme").asText() : null;
        if (readme != null && readme.length() > MAX_README) {
            readme = readme.substring(0, MAX_README);
        }
        for (String field : SERVER_FIELDS) {
            manifest.remove(field);
        }
        ObjectNode cleanDist = manifest.putObject("dist");
        cleanDist.put("integrity", integrity);
        cleanDist.put("shasum", shasum);
        cleanDist.put("fileCount", inspection.files().size());
        cleanDist.put("unpackedSize", inspection.unpackedSize());
        ObjectNode npmUser = manifest.putObject("_npmUser");
        npmUser.put("name", actor.user());
        User user = users.find(actor.user());
        if (user != null) {
            npmUser.put("email", user.email());
        }
        JsonNode scripts = manifest.path("scripts");
        if (scripts.has("preinstall") || scripts.has("install") || scripts.has("postinstall")) {
            manifest.put("hasInstallScript", true);
        }
        manifest.put("_hasShrinkwrap", inspection.has("npm-shrinkwrap.json"));

        String blob = Hashes.hex(sha512Bytes);
        try {
            if (tarball.inMemory()) {
                blobs.put(blob, tarball.bytes());
            } else {
                blobs.put(blob, tarball.open());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not store tarball", e);
        }
        return new NewVersion(urlName, version, manifest, readme, integrity, shasum, blob, tarball.size(), tag, access);
    }

    private static void digest(Spool tarball, MessageDigest... digests) {
        if (tarball.inMemory()) {
            for (MessageDigest d : digests) {
                d.update(tarball.bytes());
            }
            return;
        }
        byte[] buf = new byte[64 * 1024];
        try (java.io.InputStream in = tarball.open()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (MessageDigest d : digests) {
                    d.update(buf, 0, n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the spooled tarball", e);
        }
    }

    private static boolean integrityMatches(String declared, String actual) {
        // SRI may list several hashes separated by spaces; the sha512 one must match.
        boolean sawSha512 = false;
        for (String part : declared.trim().split("\\s+")) {
            String hash = part.contains("?") ? part.substring(0, part.indexOf('?')) : part;
            if (hash.startsWith("sha512-")) {
                sawSha512 = true;
                if (!Hashes.same(hash, actual)) {
                    return false;
                }
            }
        }
        return sawSha512;
    }

    private static String tag(JsonNode body, String version) {
        JsonNode tags = body.get("dist-tags");
        if (tags == null || tags.isNull() || tags.isEmpty()) {
            return "latest";
        }
        if (!tags.isObject() || tags.size() != 1) {
            throw AirlockException.badRequest("\"dist-tags\" must name exactly one tag for the new version.");
        }
        Map.Entry<String, JsonNode> e = tags.properties().iterator().next();
        if (!version.equals(e.getValue().asText())) {
            throw AirlockException.badRequest(
                    "The dist-tag " + e.getKey() + " must point at the published version " + version + ".");
        }
        return DistTags.validTag(e.getKey());
    }

    private static String access(JsonNode body) {
        JsonNode a = body.get("access");
        if (a == null || a.isNull()) {
            return null;
        }
        String s = a.asText();
        if (!s.equals("public") && !s.equals("restricted")) {
            throw AirlockException.badRequest("access must be \"public\" or \"restricted\".");
        }
        return s;
    }

    /** The tarball: in memory, or spooled to disk by the body reader when large (closed with the request). */
    private Spool attachment(JsonNode body, PackageName name, String version) {
        JsonNode attachments = body.get("_attachments");
        if (attachments == null || !attachments.isObject() || attachments.isEmpty()) {
            throw AirlockException.badRequest("The publish has no tarball attachment.");
        }
        String expected = name + "-" + version + ".tgz";
        JsonNode tgz = null;
        for (Iterator<String> it = attachments.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.equals(expected)) {
                tgz = attachments.get(key);
            } else if (!key.equals(name + "-" + version + ".sigstore")) {
                throw AirlockException.badRequest(
                        "Unexpected attachment \"" + key + "\"; expected exactly one: " + expected + ".");
            }
        }
        // the body reader decodes the base64 of a .tgz attachment as it streams in (BodyTree): bytes or a spool
        JsonNode data = tgz == null ? null : tgz.get("data");
        Spool bytes;
        if (data instanceof com.fasterxml.jackson.databind.node.BinaryNode b) {
            bytes = Spool.of(b.binaryValue());
        } else if (data instanceof com.fasterxml.jackson.databind.node.POJONode p && p.getPojo() instanceof Spool s) {
            bytes = s;
        } else {
            throw AirlockException.badRequest("The attachment " + expected + " is missing or has no data.");
        }
        if (bytes.size() > maxTarballBytes) {
            throw new AirlockException(
                    ErrorCode.PAYLOAD_TOO_LARGE,
                    "The tarball is larger than this registry accepts (" + maxTarballBytes + " bytes).");
        }
        if (!tgz.path("length").canConvertToLong() || tgz.get("length").asLong() != bytes.size()) {
            throw AirlockException.badRequest(
                    "The attachment length (" + tgz.path("length").asText() + ") does not match"
                            + " the decoded tarball size (" + bytes.size() + ").");
        }
        return bytes;
    }
}
