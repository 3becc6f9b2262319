package dev.airlock.imports;

import dev.airlock.platform.tarball.TarballReader;
import dev.airlock.shared.Actor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * The consumer's verifier ({@code verifier/} in the repository, which the build copies into the classpath under
 * {@value #RESOURCE}) served by the registry itself, so {@code npx @airlock/verify} works from any machine pointed at
 * it. On start it is packed the way {@code npm pack} lays a package out (every file under {@code package/}, sorted,
 * with fixed times and modes, so the same files always give the same bytes and integrity) and imported through
 * {@link ImportService}: audited like any import, visible, and left alone when that version is already here.
 */
public final class BundledVerifier {
    static final String RESOURCE = "airlock-verifier";
    private static final long EPOCH = 499_162_500_000L; // 1985-10-26T08:15:00Z, the time npm pack gives every file

    private BundledVerifier() {}

    /** Imports the bundled verifier unless that version is present; answers the import's outcome. */
    public static ImportService.Report publish(ImportService imports, TarballReader.Limits limits, Path tmp) {
        return publish(imports, limits, tmp, RESOURCE);
    }

    /**
     * Imports the package bundled in the classpath under {@code resource} (packed as the verifier is) unless that
     * version is present: the client doctor, {@code airlock-doctor}, is served this way too (docs/doctor.md).
     */
    public static ImportService.Report publish(
            ImportService imports, TarballReader.Limits limits, Path tmp, String resource) {
        try {
            Files.createDirectories(tmp);
            Path dir = Files.createTempDirectory(tmp, "verifier");
            try {
                try (OutputStream out = Files.newOutputStream(dir.resolve("verifier.tgz"))) {
                    pack(out, resource);
                }
                TarballDirectorySource source = new TarballDirectorySource(dir, limits);
                List<Wanted> wanted = source.names().stream().map(Wanted::all).toList();
                return imports.run(
                        Actor.operator(),
                        source,
                        wanted,
                        new ImportService.Options(null, "public", 1),
                        (i, n, r) -> {});
            } finally {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish the bundled verifier", e);
        }
    }

    /** Writes the verifier as an npm package tarball. */
    static void pack(OutputStream target) throws IOException {
        pack(target, RESOURCE);
    }

    /** Writes the package bundled under {@code resource} as an npm package tarball. */
    static void pack(OutputStream target, String resource) throws IOException {
        URL marker = BundledVerifier.class.getClassLoader().getResource(resource + "/package.json");
        if (marker == null) {
            throw new IOException("the build did not bundle " + resource + " (" + resource + "/package.json)");
        }
        URI uri;
        try {
            uri = marker.toURI();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        if (uri.getScheme().equals("jar")) {
            FileSystem open;
            try {
                open = FileSystems.newFileSystem(uri, Map.of());
            } catch (java.nio.file.FileSystemAlreadyExistsException e) {
                write(FileSystems.getFileSystem(uri).provider().getPath(uri).getParent(), target);
                return;
            }
            try (FileSystem jar = open) {
                write(jar.provider().getPath(uri).getParent(), target);
            }
        } else {
            write(Path.of(uri).getParent(), target);
        }
    }

    private static void write(Path root, OutputStream target) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile)
                    .sorted(java.util.Comparator.comparing(
                            p -> root.relativize(p).toString()))
                    .toList();
        }
        GzipParameters gzip = new GzipParameters();
        gzip.setModificationTime(0);
        try (TarArchiveOutputStream tar =
                new TarArchiveOutputStream(new GzipCompressorOutputStream(nonClosing(target), gzip))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path f : files) {
                String rel = root.relativize(f).toString().replace('\\', '/');
                byte[] bytes = Files.readAllBytes(f);
                TarArchiveEntry e = new TarArchiveEntry("package/" + rel);
                e.setSize(bytes.length);
                e.setMode(rel.startsWith("bin/") ? 0100755 : 0100644);
                e.setModTime(EPOCH);
                tar.putArchiveEntry(e);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    /** For tests: the packed bytes. */
    static byte[] packed() {
        return packed(RESOURCE);
    }

    /** For tests: the packed bytes of the package bundled under {@code resource}. */
    public static byte[] packed(String resource) {
        try (var out = new java.io.ByteArrayOutputStream()) {
            pack(out, resource);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
