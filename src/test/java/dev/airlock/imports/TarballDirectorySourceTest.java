package dev.airlock.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.io.Spool;
import dev.airlock.platform.tarball.TarballReader;
import dev.airlock.testing.TarBytes;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.Tarballs.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory of tarballs indexed as npm would have published each one; what cannot be imported is listed. */
class TarballDirectorySourceTest {
    static final TarballReader.Limits LIMITS = new TarballReader.Limits(50_000_000, 10_000);

    @TempDir
    Path tmp;

    Path put(String file, byte[] tgz) throws IOException {
        Path p = tmp.resolve(file);
        Files.createDirectories(p.getParent());
        return Files.write(p, tgz);
    }

    static byte[] tgz(String packageJson, Entry... more) {
        Entry[] all = new Entry[more.length + 1];
        all[0] = Entry.file("package/package.json", packageJson);
        System.arraycopy(more, 0, all, 1, more.length);
        return Tarballs.tgz(all);
    }

    @Test
    void eachVersionIsTheManifestNpmPublishWouldSendWithADistFromTheBytes() throws IOException {
        byte[] one = tgz(
                "{\"name\":\"alpha\",\"version\":\"v1.0.0\",\"scripts\":{\"test\":\"node_modules/.bin/mocha\","
                        + "\"n\":5},\"bin\":\"cli.js\"}",
                Entry.file("package/cli.js", "#!/usr/bin/env node\n"),
                Entry.file("package/readme.txt", "not this one"),
                Entry.file("package/README.md", "# Alpha\n"),
                Entry.file("package/lib/README.md", "nested, not this one"));
        put("a/alpha-1.0.0.tgz", one);
        put("deeper/still/alpha-2.0.0-rc.1.tgz", tgz("{\"name\":\"alpha\",\"version\":\"2.0.0-rc.1\"}"));
        put(
                "alpha-1.5.0.tgz",
                tgz(
                        "{\"name\":\"alpha\",\"version\":\"1.5.0\",\"readme\":\"own\"}",
                        Entry.file("package/README.md", "the file npm does not read")));
        put("scoped.tgz", tgz("{\"name\":\"@s/beta\",\"version\":\"0.1.0-pre\"}", Entry.file("package/README", "b")));
        Files.writeString(tmp.resolve("notes.txt"), "not a tarball, not looked at");

        TarballDirectorySource source = new TarballDirectorySource(tmp, LIMITS);
        assertThat(source.skipped()).isEmpty();
        assertThat(source.names()).containsExactly("@s/beta", "alpha");
        assertThat(source.kind()).isEqualTo("tarballs");

        SourcePackage alpha = source.load("alpha");
        assertThat(alpha.versions()).extracting(SourceVersion::version).containsExactly("1.0.0", "1.5.0", "2.0.0-rc.1");
        assertThat(alpha.distTags()).isEqualTo(Map.of("latest", "1.5.0"));
        assertThat(alpha.createdAt()).isNull();
        SourceVersion v1 = alpha.versions().get(0);
        ObjectNode m = v1.manifest();
        assertThat(m.path("name").asText()).isEqualTo("alpha");
        assertThat(m.path("version").asText()).isEqualTo("1.0.0");
        assertThat(m.path("_id").asText()).isEqualTo("alpha@1.0.0");
        assertThat(m.path("scripts").toString()).isEqualTo("{\"test\":\"mocha\"}");
        assertThat(m.path("bin").toString()).isEqualTo("{\"alpha\":\"cli.js\"}");
        assertThat(m.path("readmeFilename").asText()).isEqualTo("README.md");
        assertThat(v1.readme()).isEqualTo("# Alpha\n");
        assertThat(v1.publishedAt()).isNull();
        assertThat(v1.deprecated()).isNull();
        assertThat(m.path("dist").path("integrity").asText())
                .isEqualTo(Hashes.sri("sha512", Hashes.digest("SHA-512").digest(one)));
        assertThat(m.path("dist").path("shasum").asText())
                .isEqualTo(Hashes.hex(Hashes.digest("SHA-1").digest(one)));
        assertThat(m.path("dist").path("fileCount").asInt()).isEqualTo(5);
        assertThat(m.path("dist").path("unpackedSize").asLong())
                .isEqualTo(("#!/usr/bin/env node\n" + "not this one" + "# Alpha\n" + "nested, not this one").length()
                        + packageJsonLength(one));
        try (Spool s = v1.tarball().fetch(1_000_000)) {
            assertThat(s.bytes()).isEqualTo(one);
        }

        SourceVersion v15 = alpha.versions().get(1);
        assertThat(v15.readme()).isEqualTo("own");
        assertThat(v15.manifest().has("readme")).isFalse();
        assertThat(v15.manifest().has("readmeFilename")).isFalse();
        assertThat(alpha.versions().get(2).readme()).isEqualTo("ERROR: No README data found!");

        SourcePackage beta = source.load("@s/beta");
        assertThat(beta.distTags()).as("only prereleases: the highest").isEqualTo(Map.of("latest", "0.1.0-pre"));
        assertThat(beta.versions().get(0).readme()).isEqualTo("b");
        assertThat(beta.versions().get(0).manifest().path("readmeFilename").asText())
                .isEqualTo("README");
        assertThat(source.load("gamma")).isNull();
    }

    private static long packageJsonLength(byte[] tgz) {
        long[] n = {0};
        TarballReader.read(new java.io.ByteArrayInputStream(tgz), LIMITS, (path, size, in) -> {
            if (path.equals("package.json")) {
                n[0] = size;
            }
        });
        return n[0];
    }

    @Test
    void unreadableNamelessAndAmbiguousTarballsAreListedNotImported() throws IOException {
        Path garbage = put("garbage.tgz", "this is not gzip".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path noName = put("noname.tgz", tgz("{\"version\":\"1.0.0\"}"));
        Path badVersion = put("badversion.tgz", tgz("{\"name\":\"x\",\"version\":\"1.0\"}"));
        Path notJson = put("notjson.tgz", tgz("{\"name\":"));
        Path noPackageJson = put("empty.tgz", Tarballs.tgz(Entry.file("package/index.js", "1")));
        // the defect of issue 10: a second gzip member npm would read, with a file the package.json does not announce
        Path twoMembers = put("members.tgz", TarBytes.twoMembers("{\"name\":\"m\",\"version\":\"1.0.0\"}", "evil()"));
        Path dupA = put("one/dup.tgz", tgz("{\"name\":\"dup\",\"version\":\"1.0.0\",\"description\":\"a\"}"));
        Path dupB = put("two/dup.tgz", tgz("{\"name\":\"dup\",\"version\":\"1.0.0\",\"description\":\"b\"}"));
        put("three/dup-2.tgz", tgz("{\"name\":\"dup\",\"version\":\"2.0.0\"}"));
        put("four/dup-2-copy.tgz", Files.readAllBytes(tmp.resolve("three/dup-2.tgz")));

        TarballDirectorySource source = new TarballDirectorySource(tmp, LIMITS);
        List<String> skipped = source.skipped();
        assertThat(skipped)
                .anySatisfy(s -> assertThat(s)
                        .startsWith("skipped " + garbage.toRealPath() + ": ")
                        .contains("not a valid gzipped tar archive"))
                .anySatisfy(s -> assertThat(s)
                        .startsWith("skipped " + noName.toRealPath() + ": ")
                        .endsWith("has no name"))
                .anySatisfy(s -> assertThat(s)
                        .startsWith("skipped " + badVersion.toRealPath() + ": ")
                        .contains("\"1.0\" is not a valid semver version"))
                .anySatisfy(s -> assertThat(s)
                        .startsWith("skipped " + notJson.toRealPath() + ": ")
                        .endsWith("is not a JSON object"))
                .anySatisfy(s -> assertThat(s)
                        .startsWith("skipped " + noPackageJson.toRealPath() + ": ")
                        .endsWith("has no package.json in its top-level folder"))
                .anySatisfy(s -> assertThat(s)
                        .startsWith("skipped " + dupA.toRealPath() + ": ")
                        .contains("dup@1.0.0 is claimed by 2 different tarballs"))
                .anySatisfy(s -> assertThat(s)
                        .startsWith("skipped " + dupB.toRealPath() + ": ")
                        .contains("none of them is imported"));
        // the two-member tarball is read as npm reads it (both members), so it is indexed with both files
        assertThat(skipped).noneMatch(s -> s.contains(twoMembers.getFileName().toString()));
        assertThat(source.load("m")
                        .versions()
                        .get(0)
                        .manifest()
                        .path("dist")
                        .path("fileCount")
                        .asInt())
                .isEqualTo(2);
        assertThat(skipped).hasSize(7);
        // identical copies of one tarball are one version; the ambiguous version is gone, the package stays
        assertThat(source.names()).containsExactly("dup", "m");
        assertThat(source.load("dup").versions())
                .extracting(SourceVersion::version)
                .containsExactly("2.0.0");
        assertThat(source.load("dup").distTags()).isEqualTo(Map.of("latest", "2.0.0"));
    }

    @Test
    void theReadmeIsChosenAsNpmChoosesIt() {
        assertThat(TarballDirectorySource.readmeFile(List.of("README", "readme.markdown")))
                .isEqualTo("readme.markdown");
        assertThat(TarballDirectorySource.readmeFile(List.of("README.txt", "README")))
                .isEqualTo("README");
        assertThat(TarballDirectorySource.readmeFile(List.of("README.txt"))).isNull();
        assertThat(dev.airlock.platform.npm.PackumentBytes.highestRelease(
                        List.of("1.0.0", "10.0.0", "9.9.9", "11.0.0-beta")))
                .isEqualTo("10.0.0");
    }
}
