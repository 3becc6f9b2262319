package dev.airlock.platform.tarball;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one reader of npm tarballs in Airlock: it yields exactly the files npm would install from a tarball (what pacote
 * extracts with node-tar: every gzip member, PAX and GNU long names, base-256 sizes, the first path segment stripped,
 * links and directories skipped, {@code .gitignore} renamed to {@code .npmignore}), or refuses the tarball when npm's
 * reading and ours could differ or another installer could read it differently (bad checksums, data after the end of
 * the archive, links, devices, duplicate or colliding names, odd header fields), or when it breaks the limits.
 * Checked against node-tar by a differential test over edge-case tarballs.
 *
 * <p>The visitor sees each regular file as it streams by, before the rest of the archive is checked: only a read that
 * returns normally vouches for the files seen.
 */
public final class TarballReader {
    /** Above this, node-tar ignores an extended header (and reads the entry without it); we refuse it. */
    static final int MAX_META = 1 << 20;
    /** node-tar's meta bodies are assembled from chunks decoded one by one: only the first block is never split. */
    static final int SAFE_META_PREFIX = TarHeader.BLOCK;

    /** Most decompressed bytes (tar headers included) and most entries to read before refusing. */
    public record Limits(long maxUnpackedBytes, int maxEntries) {
        /** For tarballs already checked at publish: only npm's own decompression ratio still applies. */
        public static final Limits STORED = new Limits(Long.MAX_VALUE, Integer.MAX_VALUE);
    }

    /** Called once per file npm would install, in archive order. */
    @FunctionalInterface
    public interface FileVisitor {
        /**
         * Called once for each file npm would install.
         *
         * @param path    where the file lands inside the package directory ("package.json", "lib/index.js")
         * @param size    its exact size in bytes
         * @param content exactly its bytes; need not be read to the end, must not be kept after returning
         */
        void file(String path, long size, InputStream content) throws IOException;
    }

    /** A file's exact size and its first bytes (all of them if it has no more than were asked for). */
    /**
     * A file's size, its first bytes and the SHA-256 of all of it (so that a change past the kept bytes is still seen).
     */
    public record FileHead(long size, byte[] head, byte[] sha256) {
        /** Same bytes: same size and digest. */
        public boolean sameAs(FileHead other) {
            return size == other.size && java.security.MessageDigest.isEqual(sha256, other.sha256);
        }
    }

    private TarballReader() {}

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Every file npm would install, by path inside the package, with its size and first {@code keep} bytes. */
    public static Map<String, FileHead> heads(InputStream tgz, Limits limits, int keep) {
        Map<String, FileHead> files = new LinkedHashMap<>();
        read(tgz, limits, (path, size, content) -> {
            java.security.MessageDigest sha = sha256();
            byte[] head = content.readNBytes(keep);
            sha.update(head);
            byte[] buf = new byte[8192];
            for (int n; (n = content.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
            files.put(path, new FileHead(size, head, sha.digest()));
        });
        return files;
    }

    /** Reads the stream to its end, closes it, and calls the visitor for every file npm would install. */
    public static void read(InputStream tgz, Limits limits, FileVisitor visitor) {
        try (Unpacked in = Unpacked.open(tgz, limits.maxUnpackedBytes())) {
            new Walk(in, limits, visitor).run();
        } catch (IOException e) {
            String why = e instanceof java.io.EOFException ? "it ends too early" : e.getMessage();
            throw new TarballRefusedException("the tarball is not a valid gzipped tar archive (" + why + ")");
        }
    }

    private static final class Walk {
        private final Unpacked in;
        private final Limits limits;
        private final FileVisitor visitor;
        private final TarPaths paths = new TarPaths();
        private final Set<String> sawIgnores = new HashSet<>();
        private final byte[] block = new byte[TarHeader.BLOCK];
        private Map<String, String> pending = new HashMap<>();
        private boolean pendingPax;
        private int entries;

        Walk(Unpacked in, Limits limits, FileVisitor visitor) {
            this.in = in;
            this.limits = limits;
            this.visitor = visitor;
        }

        void run() throws IOException {
            while (true) {
                int n = in.readNBytes(block, 0, block.length);
                if (n == 0) {
                    break; // no end-of-archive blocks: node-tar stops here too
                }
                if (n < block.length) {
                    throw new TarballRefusedException("the tarball is truncated");
                }
                if (TarHeader.isZero(block)) {
                    // node-tar stops at two zero blocks and reads on after one: refuse anything but zeros from here
                    drainZeros();
                    break;
                }
                entry(TarHeader.decode(block));
            }
            if (!pending.isEmpty()) {
                throw new TarballRefusedException("the tarball ends with an extended header that has no entry");
            }
        }

        private void drainZeros() throws IOException {
            byte[] buf = new byte[8192];
            for (int r; (r = in.read(buf)) >= 0; ) {
                for (int i = 0; i < r; i++) {
                    if (buf[i] != 0) {
                        throw new TarballRefusedException("the tarball has data after the end of the archive");
                    }
                }
            }
        }

        private void entry(TarHeader h) throws IOException {
            switch (h.type()) {
                case 'x', 'g', 'L', 'K' -> meta(h);
                case '0', '5' -> {
                    if (++entries > limits.maxEntries()) {
                        throw new TarballRefusedException(
                                "the tarball has more than " + limits.maxEntries() + " entries");
                    }
                    regular(h);
                }
                case '1', '2' ->
                    throw new TarballRefusedException(
                            "the tarball contains a link (" + named(h) + "); links are not allowed");
                case '3', '4', '6' ->
                    throw new TarballRefusedException("the tarball contains a device or FIFO (" + named(h) + ")");
                default ->
                    throw new TarballRefusedException(
                            "the tarball contains an entry of an unsupported type (" + named(h) + ")");
            }
        }

        private String named(TarHeader h) {
            return pending.getOrDefault("path", h.path());
        }

        /** Extended headers apply to the next entry (PAX x, GNU L and K) or to all that follow (PAX g). */
        private void meta(TarHeader h) throws IOException {
            if (pendingPax || (h.type() == 'g' && !pending.isEmpty())) {
                // node-tar lets a pending PAX header resize the extended header after it; nothing good needs that
                throw new TarballRefusedException("the tarball has extended headers in an unsupported order");
            }
            if (h.size() > MAX_META) {
                throw new TarballRefusedException("the tarball has an extended header larger than 1 MiB");
            }
            if (++entries > limits.maxEntries()) {
                throw new TarballRefusedException("the tarball has more than " + limits.maxEntries() + " entries");
            }
            byte[] body = in.readNBytes((int) h.size());
            if (body.length < h.size()) {
                throw new TarballRefusedException("the tarball is truncated");
            }
            in.skipNBytes(padding(h.size()));
            for (int i = SAFE_META_PREFIX; i < body.length; i++) {
                if (body[i] < 0) {
                    throw new TarballRefusedException(
                            "the tarball has an extended header with non-ASCII text after its" + " first 512 bytes");
                }
            }
            switch (h.type()) {
                case 'x' -> {
                    pendingPax = true;
                    PaxRecords.parse(body, false).forEach(this::pend);
                }
                case 'g' -> PaxRecords.parse(body, true);
                case 'L' -> pend("path", longName(body));
                default -> pend("linkpath", longName(body));
            }
        }

        private void pend(String key, String value) {
            if (pending.put(key, value) != null) {
                throw new TarballRefusedException("the tarball has extended headers that set " + key + " twice");
            }
        }

        /** A GNU long name: the name, then NULs only (node-tar cuts at the first NUL, but not past a newline). */
        private static String longName(byte[] body) {
            int end = 0;
            while (end < body.length && body[end] != 0) {
                end++;
            }
            for (int i = end; i < body.length; i++) {
                if (body[i] != 0) {
                    throw new TarballRefusedException("the tarball has a long name with data after its end");
                }
            }
            if (end == 0) {
                throw new TarballRefusedException("the tarball contains an entry without a name");
            }
            return TarHeader.utf8(body, 0, end);
        }

        private void regular(TarHeader h) throws IOException {
            Map<String, String> ex = pending;
            pending = new HashMap<>();
            pendingPax = false;
            String path = ex.getOrDefault("path", h.path());
            long size = ex.containsKey("size") ? Long.parseLong(ex.get("size")) : h.size();
            if (path.isEmpty()) {
                throw new TarballRefusedException("the tarball contains an entry without a name");
            }
            if (!h.linkName().isEmpty()) {
                // node-tar drops a non-link header that names a link target and parses its data as headers
                throw new TarballRefusedException(
                        "the tarball contains a file with a link target (" + path + "); links are not allowed");
            }
            // node-tar reads a file whose name ends in / as a directory, and a directory as having no data
            boolean directory = h.type() == '5' || path.endsWith("/");
            if (directory) {
                if (size != 0) {
                    throw new TarballRefusedException("the tarball contains a directory with data (" + path + ")");
                }
                paths.directory(paths.relative(path, true));
                return;
            }
            // pacote: a .gitignore is installed as .npmignore, unless a .npmignore came first (then it is dropped)
            String base = path.substring(path.lastIndexOf('/') + 1);
            boolean dropped = false;
            if (base.equals(".npmignore")) {
                sawIgnores.add(path);
            } else if (base.equals(".gitignore")) {
                String renamed = path.substring(0, path.length() - ".gitignore".length()) + ".npmignore";
                dropped = sawIgnores.contains(renamed);
                path = renamed;
            }
            String relative = paths.relative(path, false);
            if (!dropped) {
                paths.file(relative);
                Bounded content = new Bounded(in, size);
                visitor.file(relative, size, content);
                content.finish();
            } else {
                in.skipNBytes(size);
            }
            in.skipNBytes(padding(size));
        }

        private static long padding(long size) {
            return (TarHeader.BLOCK - size % TarHeader.BLOCK) % TarHeader.BLOCK;
        }
    }
}
