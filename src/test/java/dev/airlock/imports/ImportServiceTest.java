package dev.airlock.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.io.Spool;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import dev.airlock.testing.Services;
import dev.airlock.testing.Tarballs;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The import's rules on the real services: what is verified, what is kept from the source, what is left alone. */
class ImportServiceTest {
    private static final long T2015 = Instant.parse("2015-03-01T10:00:00Z").toEpochMilli();
    private final Services s = Services.start();
    private final MemorySource source = new MemorySource();
    private final List<String> progress = new ArrayList<>();

    @AfterEach
    void close() {
        s.close();
    }

    private ImportService.Report run(Wanted... wanted) {
        return run(new ImportService.Options(null, null, 2), wanted);
    }

    private ImportService.Report run(ImportService.Options options, Wanted... wanted) {
        return s.airlock.imports.run(
                Actor.operator(),
                source,
                List.of(wanted),
                options,
                (done, total, r) -> progress.add(done + "/" + total + " " + r.name()));
    }

    private JsonNode packument(String name) {
        return s.airlock.packages.packument(Actor.operator(), PackageName.parse(name), false);
    }

    @Test
    void importsEveryVersionWithItsTimeTagsDeprecationAndManifestAsTheSourceServedIt() {
        source.add("JSONStream", "1.0.0", T2015, null);
        source.add("JSONStream", "1.1.0", T2015 + 1000, "use 2.x");
        source.add("JSONStream", "2.0.0-beta.1", T2015 + 2000, null);
        source.tags("JSONStream", Map.of("latest", "1.1.0", "next", "2.0.0-beta.1", "9bad", "1.0.0"));
        source.version("JSONStream", "1.1.0").put("_npmUser", "{\"name\":\"dominictarr\"}");

        ImportService.Report report = run(Wanted.all("JSONStream"));

        assertThat(report.imported()).isEqualTo(3);
        assertThat(report.refused()).isEmpty();
        assertThat(progress).containsExactly("1/1 JSONStream");
        JsonNode doc = packument("JSONStream");
        assertThat(doc.path("time").path("1.0.0").asText()).isEqualTo("2015-03-01T10:00:00Z");
        assertThat(doc.path("time").path("created").asText()).isEqualTo("2015-03-01T10:00:00Z");
        assertThat(doc.path("dist-tags").toString())
                .isEqualTo("{\"latest\":\"1.1.0\",\"next\":\"2.0.0-beta.1\"}"); // an invalid tag is not taken
        JsonNode v = doc.path("versions").path("1.1.0");
        assertThat(v.path("deprecated").asText()).isEqualTo("use 2.x");
        assertThat(v.path("_npmUser").asText()).isEqualTo("{\"name\":\"dominictarr\"}");
        assertThat(v.path("dist").path("integrity").asText())
                .isEqualTo(source.version("JSONStream", "1.1.0")
                        .path("dist")
                        .path("integrity")
                        .asText());
        // the source's signature is not ours to serve: the registry signs the imported version itself
        assertThat(v.path("dist").path("signatures").size()).isEqualTo(1);
        assertThat(v.path("dist").path("signatures").get(0).path("keyid").asText())
                .isEqualTo(s.airlock.signer.currentKeyid());
        assertThat(v.path("airlock").path("method").asText()).isEqualTo("import");
        assertThat(v.path("airlock").path("source").asText()).isEqualTo("memory://test");
        assertThat(v.path("airlock").path("importedBy").asText()).isEqualTo("@cli");
        assertThat(s.airlock.audit.forTarget("package:JSONStream"))
                .filteredOn(e -> e.action().equals("package.import"))
                .hasSize(3);
    }

    @Test
    void aSecondRunImportsNothingAndOnlyTheMissingVersionsAreFetchedLater() {
        source.add("left-pad", "1.0.0", T2015, null);
        run(Wanted.all("left-pad"));
        source.add("left-pad", "1.1.0", T2015 + 5000, null);
        source.tags("left-pad", Map.of("latest", "1.1.0"));
        source.fetched.clear();

        ImportService.Report again = run(Wanted.all("left-pad"));

        assertThat(again.imported()).isEqualTo(1);
        assertThat(again.present()).isEqualTo(1);
        assertThat(source.fetched).containsExactly("left-pad@1.1.0");
        assertThat(packument("left-pad").path("dist-tags").path("latest").asText())
                .isEqualTo("1.1.0");
        assertThat(run(Wanted.all("left-pad")).imported()).isZero();
    }

    @Test
    void aTarballThatDoesNotMatchTheSourceOrTheLockfileIsRefusedAndNothingIsStored() {
        source.add("a", "1.0.0", T2015, null);
        source.add("a", "1.0.1", T2015, null);
        ((ObjectNode) source.version("a", "1.0.0").get("dist"))
                .put("shasum", "0000000000000000000000000000000000000000");

        ImportService.Report report = run(
                new Wanted(
                        "a",
                        Set.of("1.0.0", "1.0.1", "9.9.9"),
                        Map.of(
                                "1.0.1",
                                "sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")));

        assertThat(report.imported()).isZero();
        assertThat(report.refused().get("a@1.0.0")).contains("not the source's shasum");
        assertThat(report.refused().get("a@1.0.1")).contains("does not match the lockfile's integrity");
        assertThat(report.refused().get("a@9.9.9")).contains("has no version 9.9.9");
        assertThat(s.airlock.packages.namesIgnoringCase(PackageName.parse("a"))).isEmpty();
    }

    @Test
    void aTarballNpmCouldReadDifferentlyIsRefusedWithTheReadersReason() {
        ObjectNode pj = Tarballs.manifest("odd", "1.0.0");
        source.add(
                "odd",
                "1.0.0",
                T2015,
                null,
                Tarballs.tgz(
                        Tarballs.Entry.file("package/package.json", pj.toString()),
                        Tarballs.Entry.file("package/A.js", "1"),
                        Tarballs.Entry.file("package/a.js", "2")));

        assertThat(run(Wanted.all("odd")).refused().get("odd@1.0.0"))
                .startsWith("Invalid tarball:")
                .doesNotContain("Nothing was published");
    }

    @Test
    void aVersionPublishedHereIsLeftAloneAndItsTagStays() {
        Actor alice = s.user("alice");
        s.publish(alice, "shared", "1.0.0");
        ObjectNode other = Tarballs.manifest("shared", "1.0.0").put("description", "not the one published here");
        source.add("shared", "1.0.0", T2015, null, Tarballs.packageTgz(other));
        source.add("shared", "0.9.0", T2015, null);
        source.tags("shared", Map.of("latest", "0.9.0"));

        ImportService.Report report = run(Wanted.all("shared"));

        assertThat(report.refused().get("shared@1.0.0")).contains("exists here; it is left as it is");
        assertThat(report.imported()).isEqualTo(1);
        JsonNode doc = packument("shared");
        assertThat(doc.path("dist-tags").path("latest").asText()).isEqualTo("1.0.0");
        assertThat(doc.path("versions")
                        .path("1.0.0")
                        .path("airlock")
                        .path("method")
                        .asText())
                .isEqualTo("publish");
    }

    @Test
    void maintainersMapToLocalUsersAndTheOwnerJoinsThem() {
        s.user("dominictarr");
        s.user("ops");
        source.add("through", "2.3.8", T2015, null);
        source.maintainers.addAll(List.of("dominictarr", "someone-not-here"));

        run(new ImportService.Options("ops", "public", 1), Wanted.all("through"));

        assertThat(packument("through").path("maintainers").findValuesAsText("name"))
                .containsExactly("dominictarr", "ops");
    }

    @Test
    void latestFallsOnTheHighestReleaseWhenTheSourceTagIsNotImported() {
        source.add("pre", "1.0.0", T2015, null);
        source.add("pre", "1.1.0-rc.1", T2015, null);
        source.add("pre", "2.0.0", T2015, null);
        source.tags("pre", Map.of("latest", "2.0.0"));

        run(new Wanted("pre", Set.of("1.0.0", "1.1.0-rc.1"), Map.of()));

        assertThat(packument("pre").path("dist-tags").path("latest").asText()).isEqualTo("1.0.0");
    }

    /** An in-memory source: what a registry would serve, with the tarballs it would hand over. */
    private static final class MemorySource implements ImportSource {
        final Map<String, Map<String, ObjectNode>> manifests = new LinkedHashMap<>();
        final Map<String, byte[]> tarballs = new LinkedHashMap<>();
        final Map<String, Long> times = new LinkedHashMap<>();
        final Map<String, String> deprecations = new LinkedHashMap<>();
        final Map<String, Map<String, String>> tags = new LinkedHashMap<>();
        final List<String> maintainers = new ArrayList<>();
        final List<String> fetched = java.util.Collections.synchronizedList(new ArrayList<>());

        void add(String name, String version, long time, String deprecated) {
            ObjectNode pj = Tarballs.manifest(name, version);
            add(name, version, time, deprecated, Tarballs.packageTgz(pj));
        }

        void add(String name, String version, long time, String deprecated, byte[] tgz) {
            ObjectNode m = Tarballs.manifest(name, version);
            m.put("_id", name + "@" + version);
            ObjectNode dist = m.putObject("dist");
            dist.put("integrity", Hashes.sri("sha512", Hashes.digest("SHA-512").digest(tgz)));
            dist.put("shasum", Hashes.hex(Hashes.digest("SHA-1").digest(tgz)));
            dist.put("tarball", "https://registry.example/" + name + "/-/x.tgz");
            dist.putArray("signatures").addObject().put("keyid", "SHA256:other").put("sig", "x");
            manifests.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(version, m);
            tarballs.put(name + "@" + version, tgz);
            times.put(name + "@" + version, time);
            if (deprecated != null) {
                deprecations.put(name + "@" + version, deprecated);
            }
        }

        ObjectNode version(String name, String version) {
            return manifests.get(name).get(version);
        }

        void tags(String name, Map<String, String> t) {
            tags.put(name, t);
        }

        @Override
        public String describe() {
            return "memory://test";
        }

        @Override
        public String kind() {
            return "registry";
        }

        @Override
        public List<String> names() {
            return List.copyOf(manifests.keySet());
        }

        @Override
        public SourcePackage load(String name) {
            Map<String, ObjectNode> versions = manifests.get(name);
            if (versions == null) {
                return null;
            }
            List<SourceVersion> out = new ArrayList<>();
            versions.forEach((v, m) -> {
                String id = name + "@" + v;
                out.add(new SourceVersion(v, m.deepCopy(), times.get(id), deprecations.get(id), null, max -> {
                    fetched.add(id);
                    if (tarballs.get(id).length > max) {
                        throw new IOException("too big");
                    }
                    return Spool.of(tarballs.get(id));
                }));
            });
            return new SourcePackage(name, tags.getOrDefault(name, Map.of()), null, maintainers, out);
        }
    }
}
