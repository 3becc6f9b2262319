package dev.airlock.review;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The files of an npm tarball (already validated when it was staged or published), keyed by path without the
 * top-level directory. Contents are kept only up to {@code maxKeep} bytes per file; sizes are always exact.
 */
final class TarballFiles {
    record File(long size, byte[] head) {
    }

    private TarballFiles() {
    }

    static Map<String, File> read(InputStream tgz, int maxKeep) {
        Map<String, File> files = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(tgz))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isFile()) {
                    continue;
                }
                String name = e.getName();
                int slash = name.indexOf('/');
                String path = slash < 0 ? name : name.substring(slash + 1);
                byte[] head = tar.readNBytes(maxKeep);
                files.put(path, new File(e.getSize(), head));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read a stored tarball", ex);
        }
        return files;
    }

    static Map<String, File> read(byte[] tgz, int maxKeep) {
        return read(new ByteArrayInputStream(tgz), maxKeep);
    }
}
