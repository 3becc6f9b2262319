package dev.airlock.imports;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** yarn's {@code yarn.lock}: the classic (v1) text format and berry's (2+) YAML with {@code __metadata}. */
final class YarnLock {
    /** An indented {@code key value} or {@code key:} line of the classic format, with an optional quoted key. */
    private static final Pattern FIELD = Pattern.compile("( +)(\"[^\"]*\"|[^\\s\"]+)(:| (.*))");

    private static final Pattern SHA1_HEX = Pattern.compile("[0-9a-f]{40}");

    private YarnLock() {}

    /** Yarn berry: each key lists descriptors; its {@code resolution} says where the package came from. */
    static void readBerry(JsonNode root, LockEntries entries) {
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String key = field.getKey();
            if (key.equals("__metadata")) {
                continue;
            }
            String resolution = field.getValue().path("resolution").asText("");
            String reference = LockEntries.restOf(resolution);
            if (resolution.isEmpty() || reference == null) {
                throw entries.malformed(key, "no \"resolution\" of the form name@protocol:reference");
            }
            if (reference.startsWith("patch:")) {
                entries.skip(
                        key,
                        "a yarn patch of " + decode(reference) + "; the package it patches is imported"
                                + " from its own entry");
            } else if (reference.startsWith("npm:")) {
                // yarn's checksum is a hash of its own zip archive, not an npm integrity: none is recorded.
                entries.add(key, LockEntries.nameOf(resolution), reference.substring("npm:".length()), null);
            } else if (!entries.skipUnlessRegistry(key, reference)) {
                throw entries.malformed(key, "an unknown resolution " + resolution);
            }
        }
    }

    private static String decode(String reference) {
        String inner = reference.substring("patch:".length());
        int hash = inner.indexOf('#');
        return (hash < 0 ? inner : inner.substring(0, hash)).replace("%3A", ":");
    }

    /** Yarn classic: blocks of {@code "spec", spec:} headers and indented fields; strict about anything else. */
    static void readClassic(String text, LockEntries entries) {
        List<String> specs = null;
        Map<String, String> fields = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (!line.startsWith(" ")) {
                if (specs != null) {
                    entry(specs, fields, entries);
                }
                if (!line.endsWith(":")) {
                    throw entries.malformed(
                            "line " + (i + 1) + " is neither an entry header nor an indented field: " + line);
                }
                specs = new ArrayList<>();
                for (String spec : line.substring(0, line.length() - 1).split(", ")) {
                    specs.add(unquote(spec.strip()));
                }
                fields = new LinkedHashMap<>();
                continue;
            }
            Matcher m = FIELD.matcher(line);
            if (specs == null || !m.matches()) {
                throw entries.malformed("line " + (i + 1) + " is not a field of an entry: " + line);
            }
            if (m.group(1).length() == 2 && m.group(4) != null) {
                fields.put(unquote(m.group(2)), unquote(m.group(4).strip()));
            }
        }
        if (specs != null) {
            entry(specs, fields, entries);
        }
    }

    private static void entry(List<String> specs, Map<String, String> fields, LockEntries entries) {
        String label = String.join(", ", specs);
        String first = specs.get(0);
        String range = LockEntries.restOf(first);
        if (range == null) {
            throw entries.malformed(label, "the header is not name@range");
        }
        String version = fields.get("version");
        if (version == null) {
            throw entries.malformed(label, "no version");
        }
        String name = LockEntries.nameOf(first);
        if (range.startsWith("npm:")) {
            name = LockEntries.nameOf(range.substring("npm:".length()));
        } else if (entries.skipUnlessRegistry(label, range)) {
            return;
        }
        String resolved = fields.get("resolved");
        String integrity = fields.get("integrity");
        if (resolved != null) {
            int hash = resolved.lastIndexOf('#');
            String url = hash < 0 ? resolved : resolved.substring(0, hash);
            if (!url.matches("https?://.+/-/[^/]+\\.tgz") && entries.skipUnlessRegistry(label, url)) {
                return;
            }
            String sha1 = hash < 0 ? "" : resolved.substring(hash + 1);
            if (integrity == null && SHA1_HEX.matcher(sha1).matches()) {
                // Older yarn.lock files have no integrity line: the #fragment is the tarball's sha1 (npm's shasum).
                integrity = "sha1-"
                        + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha1));
            }
        }
        entries.add(label, name, version, integrity);
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
