package dev.airlock.doctor;

import dev.airlock.imports.BundledVerifier;
import dev.airlock.imports.ImportService;
import dev.airlock.platform.tarball.TarballReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The client doctor ({@code src/main/node/airlock-doctor}, bundled in the classpath under {@value #RESOURCE}): served
 * by every Airlock as the npm package {@code airlock-doctor} (imported on start like the consumer's verifier, see
 * docs/adr/0015) and unpacked to a directory for {@code ./airlock doctor}.
 */
public final class BundledDoctor {
    public static final String RESOURCE = "airlock-doctor";

    private BundledDoctor() {}

    /** Imports the bundled doctor unless that version is present. */
    public static ImportService.Report publish(ImportService imports, TarballReader.Limits limits, Path tmp) {
        return BundledVerifier.publish(imports, limits, tmp, RESOURCE);
    }

    /** The package's tarball, byte for byte what the registry serves. */
    public static byte[] tarball() {
        return BundledVerifier.packed(RESOURCE);
    }

    /** Unpacks the package into {@code dir}; answers the path of its bin script. */
    public static Path unpack(Path dir) {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(tarball()));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            Path root = dir.toAbsolutePath().normalize();
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                Path target =
                        root.resolve(e.getName().replaceFirst("^package/", "")).normalize();
                if (!target.startsWith(root) || !e.isFile()) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return root.resolve("bin").resolve("airlock-doctor.js");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the bundled doctor", e);
        }
    }
}
