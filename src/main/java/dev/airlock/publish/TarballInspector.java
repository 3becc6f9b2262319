package dev.airlock.publish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads an npm tarball as a stream with hard limits (decompressed bytes, entries) and refuses anything an installer
 * could be tricked by: absolute paths, {@code ..}, links, devices, FIFOs, colliding names, more than one top-level
 * directory. Returns the package.json found at {@code <top>/package.json} and what the server records about the files.
 */
public final class TarballInspector {
    private static final int MAX_PACKAGE_JSON = 1 << 20;
    private final long maxUnpackedBytes;
    private final int maxEntries;

    public TarballInspector(long maxUnpackedBytes, int maxEntries) {
        this.maxUnpackedBytes = maxUnpackedBytes;
        this.maxEntries = maxEntries;
    }

    /** What the tarball holds: package.json, files (path → size, without the top directory), totals. */
    public record Inspection(JsonNode packageJson, Map<String, Long> files, long unpackedSize) {
        public boolean has(String path) {
            return files.containsKey(path);
        }
    }

    /** Reads the stream to its end (and closes it). */
    public Inspection inspect(InputStream tgz) {
        // Read the archive as npm's node-tar does, so that the server sees exactly what gets installed: every gzip
        // member (zlib continues into concatenated members), no header with a bad checksum (node-tar skips it and reads
        // the next block as a header), nothing after the end-of-archive block (node-tar reads on after a single one).
        try (InputStream gz = GzipCompressorInputStream.builder().setDecompressConcatenated(true).setInputStream(
                tgz instanceof ByteArrayInputStream ? tgz : new java.io.BufferedInputStream(tgz, 64 * 1024)).get();
             Bounded bounded = new Bounded(gz, maxUnpackedBytes);
             TarArchiveInputStream tar = new CheckedTar(bounded)) {
            Map<String, Long> files = new LinkedHashMap<>();
            Set<String> folded = new HashSet<>();
            String top = null;
            JsonNode packageJson = null;
            long unpacked = 0;
            int entries = 0;
            TarArchiveEntry entry;
            while (true) {
                bounded.sawNonZero = false;
                if ((entry = tar.getNextEntry()) == null) {
                    break;
                }
                if (++entries > maxEntries) {
                    throw invalid("the tarball has more than " + maxEntries + " entries");
                }
                String name = entry.getName();
                if (entry.isSymbolicLink() || entry.isLink()) {
                    throw invalid("the tarball contains a link (" + name + "); links are not allowed");
                }
                if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                    throw invalid("the tarball contains a device or FIFO (" + name + ")");
                }
                if (!entry.isFile() && !entry.isDirectory()) {
                    throw invalid("the tarball contains an entry of an unsupported type (" + name + ")");
                }
                if (!entry.getLinkName().isEmpty()) {
                    // node-tar drops a non-link header that names a link target and parses its data as headers
                    throw invalid("the tarball contains a file with a link target (" + name + "); links are not allowed");
                }
                String path = checkPath(name);
                int slash = path.indexOf('/');
                String first = slash < 0 ? path : path.substring(0, slash);
                if (top == null) {
                    top = first;
                } else if (!top.equals(first)) {
                    throw invalid("all entries must be inside one top-level directory (found " + top + "/ and " + first + "/)");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                if (slash < 0) {
                    throw invalid("the file " + path + " is not inside the package directory");
                }
                String relative = path.substring(slash + 1);
                if (files.containsKey(relative) || !folded.add(relative.toLowerCase(Locale.ROOT))) {
                    throw invalid("the tarball contains " + relative + " more than once (names collide)");
                }
                long size = entry.getSize();
                files.put(relative, size);
                unpacked += size;
                if (relative.equals("package.json")) {
                    if (size > MAX_PACKAGE_JSON) {
                        throw invalid("package.json is larger than 1 MiB");
                    }
                    packageJson = parsePackageJson(tar.readAllBytes());
                }
                tar.transferTo(OutputStream.nullOutputStream());
            }
            // drain: a gzip bomb behind the tar end must still hit the limit rather than pass unnoticed
            bounded.transferTo(OutputStream.nullOutputStream());
            if (bounded.sawNonZero) {
                throw invalid("the tarball has data after the end of the archive");
            }
            if (packageJson == null) {
                throw invalid("the tarball has no package.json in its top-level directory");
            }
            return new Inspection(packageJson, files, unpacked);
        } catch (IOException | IllegalArgumentException e) {
            throw invalid("the tarball is not a valid gzipped tar archive (" + e.getMessage() + ")");
        }
    }

    private static JsonNode parsePackageJson(byte[] bytes) {
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw invalid("package.json in the tarball is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw invalid("package.json in the tarball is not valid JSON");
        }
    }

    static String checkPath(String raw) {
        String name = raw.replace('\\', '/');
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw invalid("the tarball contains an absolute path (" + raw + ")");
        }
        while (name.startsWith("./")) {
            name = name.substring(2);
        }
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw invalid("the tarball contains a path that leaves the package (" + raw + ")");
            }
            if (segment.isEmpty() || segment.equals(".")) {
                throw invalid("the tarball contains a malformed path (" + raw + ")");
            }
        }
        if (name.indexOf('\0') >= 0) {
            throw invalid("the tarball contains a malformed path");
        }
        return name;
    }

    static AirlockException invalid(String why) {
        return new AirlockException(ErrorCode.UNPROCESSABLE, "Invalid tarball: " + why + ". Nothing was published.");
    }

    /** Fails on a header whose checksum node-tar would not accept (sum of unsigned bytes, checksum field as spaces). */
    private static final class CheckedTar extends TarArchiveInputStream {
        CheckedTar(InputStream in) {
            super(in);
        }

        @Override
        protected byte[] readRecord() throws IOException {
            byte[] record = super.readRecord();
            if (record != null && !isEOFRecord(record)) {
                long sum = 0;
                for (int i = 0; i < record.length; i++) {
                    sum += i >= 148 && i < 156 ? ' ' : record[i] & 0xff;
                }
                if (sum != TarUtils.parseOctal(record, 148, 8)) {
                    throw invalid("the tarball has an entry header with a bad checksum");
                }
            }
            return record;
        }
    }

    /** Counts decompressed bytes and fails past the limit (gzip bombs); notes whether a non-zero byte went by. */
    private static final class Bounded extends FilterInputStream {
        private final long limit;
        private long count;
        boolean sawNonZero;

        Bounded(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        private void add(long n) {
            if (n > 0) {
                count += n;
                if (count > limit) {
                    throw invalid("it unpacks to more than " + limit + " bytes");
                }
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
                sawNonZero |= b != 0;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            add(n);
            for (int i = off; i < off + n && !sawNonZero; i++) {
                sawNonZero = b[i] != 0;
            }
            return n;
        }

        /** Skipped bytes are read, so that they are counted and seen. */
        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[8192];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }
    }
}
