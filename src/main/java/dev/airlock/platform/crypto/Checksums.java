package dev.airlock.platform.crypto;

import dev.airlock.platform.io.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A tarball's digests, and the checks of what a source or a lockfile declared for it: every hash of a Subresource
 * Integrity string ({@code dist.integrity}, in any of the algorithms npm knows) and the hex sha1 {@code dist.shasum}
 * must match (import and the upstream proxy verify tarballs with it). Something must be declared: a source that gives no checksum cannot be verified.
 */
public record Checksums(String sha512, String sha1Hex, Map<String, byte[]> digests) {
    private static final Map<String, String> ALGORITHMS =
            Map.of("sha1", "SHA-1", "sha256", "SHA-256", "sha384", "SHA-384", "sha512", "SHA-512");

    public static Checksums of(Spool tarball) throws IOException {
        return of(tarball, ALGORITHMS.keySet());
    }

    /**
     * The algorithms a declared {@code integrity} and {@code shasum} name (npm's SRI names; sha1 for a shasum), and
     * sha512 always (blobs are keyed by it): hashing only these verifies as much as hashing every algorithm npm knows.
     */
    public static java.util.Set<String> named(String integrity, String shasum) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        out.add("sha512");
        if (shasum != null && !shasum.isBlank()) {
            out.add("sha1");
        }
        if (integrity != null) {
            for (String part : integrity.trim().split("\\s+")) {
                int dash = part.indexOf('-');
                if (dash > 0 && ALGORITHMS.containsKey(part.substring(0, dash))) {
                    out.add(part.substring(0, dash));
                }
            }
        }
        return out;
    }

    /** The digests of {@code algorithms} (SRI names; sha512 must be one of them). */
    public static Checksums of(Spool tarball, java.util.Set<String> algorithms) throws IOException {
        Map<String, MessageDigest> md = new LinkedHashMap<>();
        ALGORITHMS.forEach((sri, jca) -> {
            if (algorithms.contains(sri)) {
                md.put(sri, Hashes.digest(jca));
            }
        });
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = tarball.open()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (MessageDigest d : md.values()) {
                    d.update(buf, 0, n);
                }
            }
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        md.forEach((k, d) -> out.put(k, d.digest()));
        byte[] sha1 = out.get("sha1");
        return new Checksums(Hashes.sri("sha512", out.get("sha512")), sha1 == null ? null : Hashes.hex(sha1), out);
    }

    /** Null when {@code integrity} (an SRI string, may be null) and {@code shasum} (may be null) match; else why not. */
    public String mismatch(String integrity, String shasum, String whose) {
        if ((integrity == null || integrity.isBlank()) && (shasum == null || shasum.isBlank())) {
            return whose + " gives no integrity or shasum to verify the tarball against";
        }
        if (shasum != null && !shasum.isBlank() && !Hashes.same(shasum.toLowerCase(Locale.ROOT), sha1Hex)) {
            return "the tarball's sha1 is " + sha1Hex + ", not the " + whose + "'s shasum " + shasum;
        }
        if (integrity == null) {
            return null;
        }
        boolean known = false;
        for (String part : integrity.trim().split("\\s+")) {
            String hash = part.contains("?") ? part.substring(0, part.indexOf('?')) : part;
            int dash = hash.indexOf('-');
            byte[] actual = dash < 0 ? null : digests.get(hash.substring(0, dash));
            if (actual == null) {
                continue;
            }
            known = true;
            if (!Hashes.same(hash, Hashes.sri(hash.substring(0, dash), actual))) {
                return "the tarball does not match the " + whose + "'s integrity " + hash + " (it is "
                        + Hashes.sri(hash.substring(0, dash), actual) + ")";
            }
        }
        if (!known && (shasum == null || shasum.isBlank())) {
            return whose + "'s integrity \"" + integrity + "\" names no algorithm npm verifies";
        }
        return null;
    }
}
