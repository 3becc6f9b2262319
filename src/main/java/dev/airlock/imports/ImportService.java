package dev.airlock.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.packages.Imports;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.crypto.Checksums;
import dev.airlock.platform.io.Spool;
import dev.airlock.publish.TarballInspector;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.shared.Versions;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Brings packages that exist elsewhere into Airlock with their history. Every tarball is verified against what the
 * source declares for it (and what a lockfile recorded), read with the same faithful tarball reader a publish uses
 * (a tarball npm could unpack differently is refused, with the reason), stored, and committed as an imported version:
 * the source's manifest unchanged (so lockfiles keep the integrity they had), its publication time, dist-tags and
 * deprecation. Names are not held to npm's rules for new packages: they exist already. What is present here is left
 * alone, so a second run imports nothing and an interrupted one resumes.
 */
public final class ImportService {
    /** Version fields that describe the source registry's copy, not the package: this registry sets its own. */
    private static final List<String> SOURCE_FIELDS =
            List.of("maintainers", "deprecated", "airlock", "readme", "_attachments", "_rev", "_uplinks", "_distfiles");

    private static final List<String> SOURCE_DIST_FIELDS =
            List.of("tarball", "signatures", "attestations", "npm-signature");
    private static final int BATCH = 100;

    private final Imports imports;
    private final BlobStore blobs;
    private final TarballInspector inspector;
    private final long maxTarballBytes;
    private final Clock clock;

    public ImportService(
            Imports imports, BlobStore blobs, TarballInspector inspector, long maxTarballBytes, Clock clock) {
        this.imports = imports;
        this.blobs = blobs;
        this.inspector = inspector;
        this.maxTarballBytes = maxTarballBytes;
        this.clock = clock;
    }

    /** {@code owner}: a local user who maintains every package the import creates (null: source maintainers only). */
    public record Options(String owner, String access, int jobs) {}

    /** One package's outcome: versions imported now, how many were present already, refusals (key → why), tags set. */
    public record PackageResult(
            String name, List<String> imported, int present, Map<String, String> refused, List<String> tags) {}

    /** Told after each package, in the order they finish. */
    @FunctionalInterface
    public interface Progress {
        void done(int finished, int total, PackageResult result);
    }

    /** The whole run: packages looked at, versions imported and already present, refusals (name or name@version → why). */
    public record Report(int packages, int imported, int present, Map<String, String> refused) {}

    public Report run(Actor actor, ImportSource source, List<Wanted> wanted, Options options, Progress progress) {
        Map<String, Object> authorisation = new LinkedHashMap<>();
        authorisation.put("method", "import");
        authorisation.put("importedBy", actor.describe());
        authorisation.put("importedAt", Instant.ofEpochMilli(clock.millis()).toString());
        authorisation.put("source", source.describe());
        authorisation.put("sourceKind", source.kind());
        AtomicInteger finished = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.jobs()));
        try {
            List<Future<PackageResult>> futures = new ArrayList<>();
            for (Wanted w : wanted) {
                futures.add(pool.submit(() -> {
                    PackageResult r = importPackage(actor, source, w, options, authorisation);
                    progress.done(finished.incrementAndGet(), wanted.size(), r);
                    return r;
                }));
            }
            int imported = 0;
            int present = 0;
            Map<String, String> refused = new LinkedHashMap<>();
            for (Future<PackageResult> f : futures) {
                PackageResult r = f.get();
                imported += r.imported().size();
                present += r.present();
                refused.putAll(r.refused());
            }
            return new Report(wanted.size(), imported, present, refused);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("import interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private PackageResult importPackage(
            Actor actor, ImportSource source, Wanted w, Options options, Map<String, Object> authorisation) {
        Map<String, String> refused = new LinkedHashMap<>();
        PackageName name;
        Map<String, String> present;
        SourcePackage sp;
        try {
            name = PackageName.parse(w.name());
            present = imports.present(name);
            sp = source.load(name.toString());
        } catch (AirlockException | IllegalArgumentException e) {
            return refusedWhole(w.name(), e.getMessage());
        } catch (IOException e) {
            return refusedWhole(w.name(), "could not read it from " + source.describe() + ": " + e.getMessage());
        }
        if (sp == null) {
            return refusedWhole(w.name(), source.describe() + " has no package " + w.name());
        }
        Map<String, SourceVersion> byVersion = new LinkedHashMap<>();
        sp.versions().forEach(v -> byVersion.put(v.version(), v));
        Set<String> selected = w.everyVersion() ? byVersion.keySet() : new LinkedHashSet<>(w.versions());
        int alreadyHere = 0;
        List<Imports.ImportedVersion> ready = new ArrayList<>();
        for (String version : selected) {
            String id = name + "@" + version;
            SourceVersion sv = byVersion.get(version);
            if (sv == null) {
                refused.put(id, source.describe() + " has no version " + version + " of " + name);
            } else if (present.containsKey(version)) {
                String declared = sha512(text(sv.manifest().path("dist"), "integrity"));
                if (declared != null && !declared.equals(present.get(version))) {
                    refused.put(
                            id,
                            "a different " + id + " (" + present.get(version) + ") exists here; it is left as it is");
                } else {
                    alreadyHere++;
                }
            } else {
                Object prepared = prepare(name, sv, w.lockedIntegrity().get(version));
                if (prepared instanceof Imports.ImportedVersion v) {
                    ready.add(v);
                } else {
                    refused.put(id, (String) prepared);
                }
            }
        }
        List<String> owners = new ArrayList<>(sp.maintainers());
        if (options.owner() != null) {
            owners.add(options.owner());
        }
        List<String> imported = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < ready.size(); i += BATCH) {
            List<Imports.ImportedVersion> batch = ready.subList(i, Math.min(ready.size(), i + BATCH));
            try {
                Imports.Outcome o = imports.commit(
                        actor,
                        name,
                        new Imports.Batch(
                                sp.createdAt(), batch, sp.distTags(), owners, options.access(), authorisation));
                imported.addAll(o.imported());
                o.refused().forEach((v, why) -> refused.put(name + "@" + v, why));
                tags.addAll(o.tagsSet());
            } catch (AirlockException e) {
                batch.forEach(v -> refused.put(name + "@" + v.version(), e.getMessage()));
            }
        }
        return new PackageResult(name.toString(), imported, alreadyHere, refused, tags);
    }

    private static PackageResult refusedWhole(String name, String why) {
        return new PackageResult(name, List.of(), 0, Map.of(name, why), List.of());
    }

    /** The verified, stored version ready to commit; or a String saying why it is refused. */
    private Object prepare(PackageName name, SourceVersion sv, String lockedIntegrity) {
        try {
            Versions.require(sv.version());
        } catch (AirlockException e) {
            return "\"" + sv.version() + "\" is not a valid semver version";
        }
        ObjectNode manifest = sv.manifest().deepCopy();
        String declaredName = manifest.path("name").asText(name.toString());
        if (!declaredName.equals(name.toString())
                || !manifest.path("version").asText(sv.version()).equals(sv.version())) {
            return "the source's manifest is for " + declaredName + "@"
                    + manifest.path("version").asText();
        }
        manifest.put("name", name.toString());
        manifest.put("version", sv.version());
        JsonNode dist = manifest.path("dist");
        try (Spool tgz = sv.tarball().fetch(maxTarballBytes)) {
            Checksums sums = Checksums.of(tgz);
            String why = sums.mismatch(text(dist, "integrity"), text(dist, "shasum"), "source");
            if (why == null && lockedIntegrity != null) {
                why = sums.mismatch(lockedIntegrity, null, "lockfile");
            }
            if (why != null) {
                return why;
            }
            try {
                inspector.inspect(tgz.open());
            } catch (AirlockException e) {
                return e.getMessage().replace(" Nothing was published.", "");
            }
            String blob = dev.airlock.platform.crypto.Hashes.hex(sums.digests().get("sha512"));
            if (tgz.inMemory()) {
                blobs.put(blob, tgz.bytes());
            } else {
                blobs.put(blob, tgz.open());
            }
            SOURCE_FIELDS.forEach(manifest::remove);
            if (dist.isObject()) {
                SOURCE_DIST_FIELDS.forEach(((ObjectNode) dist)::remove);
            }
            long publishedAt = sv.publishedAt() != null ? sv.publishedAt() : clock.millis();
            return new Imports.ImportedVersion(
                    sv.version(),
                    manifest,
                    sv.readme(),
                    sums.sha512(),
                    sums.sha1Hex(),
                    blob,
                    tgz.size(),
                    publishedAt,
                    sv.deprecated());
        } catch (IOException e) {
            return "could not fetch its tarball: " + e.getMessage();
        }
    }

    /** The sha512 hash of an SRI string, or null. */
    private static String sha512(String integrity) {
        if (integrity == null) {
            return null;
        }
        for (String part : integrity.trim().split("\\s+")) {
            if (part.startsWith("sha512-")) {
                return part.contains("?") ? part.substring(0, part.indexOf('?')) : part;
            }
        }
        return null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() ? v.asText() : null;
    }
}
