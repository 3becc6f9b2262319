package dev.airlock.platform.npm;

import dev.airlock.platform.crypto.Hashes;
import dev.airlock.shared.PackageName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.semver4j.Semver;

/**
 * What every served packument shares, local or proxied: the tarball URL shape, the stored gzip copy, the entity tag,
 * and which version {@code latest} falls on when nothing else says.
 */
public final class PackumentBytes {
    private PackumentBytes() {}

    /** {@code {base}/{name}/-/{bare}-{version}.tgz}: where this registry serves a version's tarball. */
    public static String tarballUrl(String base, PackageName name, String version) {
        return base + "/" + name + "/-/" + name.bare() + "-" + version + ".tgz";
    }

    public static byte[] gzip(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length() / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String etag(String json) {
        return "\"" + Hashes.sha256Hex(json).substring(0, 40) + "\"";
    }

    /** The highest version that is not a prerelease, else the highest; null for none. */
    public static String highestRelease(Iterable<String> versions) {
        Semver best = null;
        Semver bestStable = null;
        for (String v : versions) {
            Semver s = new Semver(v);
            best = best == null || s.isGreaterThan(best) ? s : best;
            if (s.getPreRelease().isEmpty()) {
                bestStable = bestStable == null || s.isGreaterThan(bestStable) ? s : bestStable;
            }
        }
        Semver pick = bestStable != null ? bestStable : best;
        return pick == null ? null : pick.getVersion();
    }
}
