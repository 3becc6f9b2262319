package dev.airlock.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds npm tarballs and publish bodies byte for byte like the npm CLI does, including hostile variants. */
public final class Tarballs {
    private Tarballs() {}

    /** An entry to put in a tarball: a file, or (with linkTarget) a symlink, or a special type. */
    public record Entry(String path, byte[] content, byte type, String linkTarget) {
        public static Entry file(String path, String content) {
            return new Entry(path, content.getBytes(StandardCharsets.UTF_8), TarArchiveEntry.LF_NORMAL, null);
        }

        public static Entry symlink(String path, String target) {
            return new Entry(path, new byte[0], TarArchiveEntry.LF_SYMLINK, target);
        }

        public static Entry special(String path, byte type) {
            return new Entry(path, new byte[0], type, null);
        }
    }

    public static byte[] tgz(Entry... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                TarArchiveEntry te = new TarArchiveEntry(e.path(), e.type(), true);
                if (e.linkTarget() != null) {
                    te.setLinkName(e.linkTarget());
                }
                te.setSize(e.type() == TarArchiveEntry.LF_NORMAL ? e.content().length : 0);
                tar.putArchiveEntry(te);
                if (e.type() == TarArchiveEntry.LF_NORMAL) {
                    tar.write(e.content());
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A minimal manifest for name@version. */
    public static ObjectNode manifest(String name, String version) {
        ObjectNode m = Json.object();
        m.put("name", name);
        m.put("version", version);
        m.put("license", "MIT");
        return m;
    }

    /** A well-formed tarball holding exactly this package.json (plus an index.js). */
    public static byte[] packageTgz(ObjectNode packageJson) {
        return tgz(
                Entry.file("package/package.json", Json.write(packageJson)),
                Entry.file("package/index.js", "module.exports = 1;\n"));
    }

    /** The publish body npm sends: the manifest with dist, one tag, one attachment. */
    public static ObjectNode publishBody(ObjectNode manifest, byte[] tgz, String tag) {
        String name = manifest.get("name").asText();
        String version = manifest.get("version").asText();
        ObjectNode v = manifest.deepCopy();
        v.put("_id", name + "@" + version);
        ObjectNode dist = v.putObject("dist");
        dist.put("integrity", Hashes.sri("sha512", Hashes.digest("SHA-512").digest(tgz)));
        dist.put("shasum", Hashes.hex(Hashes.digest("SHA-1").digest(tgz)));
        dist.put("tarball", "http://ignored/" + name + "/-/" + name + "-" + version + ".tgz");
        ObjectNode body = Json.object();
        body.put("_id", name);
        body.put("name", name);
        body.putObject("dist-tags").put(tag, version);
        body.putObject("versions").set(version, v);
        body.putNull("access");
        ObjectNode att = body.putObject("_attachments").putObject(name + "-" + version + ".tgz");
        att.put("content_type", "application/octet-stream");
        att.put("data", Base64.getEncoder().encodeToString(tgz));
        att.put("length", tgz.length);
        return body;
    }

    /** A correct publish body for name@version. */
    public static ObjectNode publishBody(String name, String version) {
        ObjectNode m = manifest(name, version);
        return publishBody(m, packageTgz(m), "latest");
    }

    public static String escaped(String name) {
        return name.replace("/", "%2f");
    }

    public static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
