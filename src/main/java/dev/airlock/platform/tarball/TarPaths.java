package dev.airlock.platform.tarball;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where the files of a tarball land once npm has extracted it (node-tar with {@code strip: 1}: the first path segment,
 * whatever its name, is dropped), and the refusals that keep that answer the same on every installer and file system:
 * one top-level directory, no absolute paths, {@code ..}, empty or {@code .} segments or backslashes, and no two
 * entries that a case-insensitive or Unicode-normalising file system (macOS, Windows) would write to the same place.
 */
final class TarPaths {
    static final int MAX_SEGMENT_BYTES = 255;
    static final int MAX_DEPTH = 256;
    private final Set<String> files = new HashSet<>();
    private final Set<String> folded = new HashSet<>();
    private final Set<String> foldedDirs = new HashSet<>();
    private String top;

    /** The path inside the package for an entry named {@code raw} in the tarball, after every check. */
    String relative(String raw, boolean directory) {
        String name = raw;
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*") || name.startsWith("\\")) {
            throw new TarballRefusedException("the tarball contains an absolute path (" + raw + ")");
        }
        if (directory) {
            while (name.endsWith("/")) {
                name = name.substring(0, name.length() - 1);
            }
        }
        String[] segments = name.split("/", -1);
        for (String segment : name.replace('\\', '/').split("/", -1)) {
            if (segment.equals("..")) {
                throw new TarballRefusedException("the tarball contains a path that leaves the package (" + raw + ")");
            }
        }
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            // node-tar strips the first segment before looking at the rest, so "./x" is x inside a directory "."
            boolean dotTop = i == 0 && s.equals(".");
            if (s.isEmpty() || (s.equals(".") && !dotTop) || s.indexOf('\\') >= 0) {
                throw new TarballRefusedException("the tarball contains a malformed path (" + raw + ")");
            }
            if (s.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw new TarballRefusedException(
                        "the tarball contains a name longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
        }
        if (segments.length > MAX_DEPTH) {
            throw new TarballRefusedException("the tarball contains a path deeper than " + MAX_DEPTH + " directories");
        }
        if (top == null) {
            top = segments[0];
        } else if (!top.equals(segments[0])) {
            throw new TarballRefusedException(
                    "all entries must be inside one top-level directory (found " + top + "/ and " + segments[0] + "/)");
        }
        if (segments.length == 1) {
            if (directory) {
                return "";
            }
            throw new TarballRefusedException("the file " + name + " is not inside the package directory");
        }
        String relative = name.substring(segments[0].length() + 1);
        if (relative.matches("^[A-Za-z]:.*")) {
            throw new TarballRefusedException("the tarball contains an absolute path (" + raw + ")");
        }
        return relative;
    }

    /** Records a file; refuses a second entry for the same place. */
    void file(String relative) {
        String key = fold(relative);
        if (!files.add(relative) || !folded.add(key)) {
            throw new TarballRefusedException("the tarball contains " + relative + " more than once (names collide)");
        }
        if (foldedDirs.contains(key)) {
            throw clash(relative);
        }
        parents(relative);
    }

    /** Records a directory (its own entry, or a file's parent). */
    void directory(String relative) {
        if (!relative.isEmpty()) {
            if (folded.contains(fold(relative))) {
                throw clash(relative);
            }
            foldedDirs.add(fold(relative));
            parents(relative);
        }
    }

    private void parents(String relative) {
        for (int slash = relative.indexOf('/'); slash >= 0; slash = relative.indexOf('/', slash + 1)) {
            String dir = fold(relative.substring(0, slash));
            if (folded.contains(dir)) {
                throw clash(relative.substring(0, slash));
            }
            foldedDirs.add(dir);
        }
    }

    private static TarballRefusedException clash(String path) {
        return new TarballRefusedException("the tarball contains " + path + " both as a file and as a directory");
    }

    private static String fold(String path) {
        return Normalizer.normalize(path, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }
}
