package dev.airlock.platform.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code blobs.s3.*}: tarballs in an S3-compatible bucket instead of {@code blobs.dir} (docs/configuration.md). An
 * empty {@code bucket} keeps the filesystem store. Empty credentials use the AWS SDK's default chain (environment,
 * profile, instance role); an empty endpoint is AWS itself.
 */
public record S3Config(
        String bucket,
        String endpoint,
        String region,
        boolean pathStyle,
        String accessKey,
        String secretKey,
        String prefix) {

    /** No bucket: the filesystem store. */
    public static final S3Config NONE = new S3Config("", "", "us-east-1", false, "", "", "");

    public S3Config {
        bucket = bucket == null ? "" : bucket.trim();
        endpoint = endpoint == null ? "" : endpoint.trim();
        region = region == null || region.isBlank() ? "us-east-1" : region.trim();
        accessKey = accessKey == null ? "" : accessKey.trim();
        secretKey = secretKey == null ? "" : secretKey.trim();
        prefix = prefix == null ? "" : prefix.trim().replaceAll("^/+", "");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        if (!endpoint.isEmpty() && !endpoint.matches("https?://[^/\\s?#]+/?")) {
            throw new IllegalArgumentException(
                    "blobs.s3.endpoint must be an http(s) URL without a path, e.g. https://s3.example.com: "
                            + endpoint);
        }
        if (accessKey.isEmpty() != secretKey.isEmpty()) {
            throw new IllegalArgumentException("blobs.s3.accessKey and blobs.s3.secretKey go together: set both, or"
                    + " neither to use the AWS SDK's default credentials");
        }
    }

    /** Whether tarballs go to S3 (a bucket is configured). */
    public boolean enabled() {
        return !bucket.isEmpty();
    }

    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("blobs.s3.bucket", "");
        d.put("blobs.s3.endpoint", "");
        d.put("blobs.s3.region", "us-east-1");
        d.put("blobs.s3.pathStyle", "false");
        d.put("blobs.s3.accessKey", "");
        d.put("blobs.s3.secretKey", "");
        d.put("blobs.s3.prefix", "");
        return d;
    }

    static S3Config from(Map<String, String> v) {
        String pathStyle = v.get("blobs.s3.pathStyle").trim().toLowerCase(Locale.ROOT);
        if (!pathStyle.equals("true") && !pathStyle.equals("false")) {
            throw new IllegalArgumentException(
                    "blobs.s3.pathStyle must be true or false, got \"" + v.get("blobs.s3.pathStyle") + "\"");
        }
        return new S3Config(
                v.get("blobs.s3.bucket"),
                v.get("blobs.s3.endpoint"),
                v.get("blobs.s3.region"),
                Boolean.parseBoolean(pathStyle),
                v.get("blobs.s3.accessKey"),
                v.get("blobs.s3.secretKey"),
                v.get("blobs.s3.prefix"));
    }

    /**
     * {@code s3://BUCKET[/PREFIX]?endpoint=URL&region=R&pathStyle=true} (for {@code ./airlock migrate --blobs}); the
     * credentials come from {@code AIRLOCK_BLOBS_S3_ACCESS_KEY} / {@code AIRLOCK_BLOBS_S3_SECRET_KEY} in {@code env},
     * or the SDK's default chain.
     */
    public static S3Config fromUrl(String url, Map<String, String> env) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an s3:// URL: " + url, e);
        }
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "blob store URL must look like s3://BUCKET[/PREFIX]?endpoint=URL&region=R&pathStyle=true: " + url);
        }
        Map<String, String> q = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String k = eq < 0 ? pair : pair.substring(0, eq);
                String val = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!k.equals("endpoint") && !k.equals("region") && !k.equals("pathStyle")) {
                    throw new IllegalArgumentException(
                            "unknown parameter \"" + k + "\" in " + url + " (known: endpoint, region, pathStyle)");
                }
                q.put(k, val);
            }
        }
        return new S3Config(
                uri.getHost(),
                q.getOrDefault("endpoint", ""),
                q.getOrDefault("region", ""),
                Boolean.parseBoolean(q.getOrDefault("pathStyle", "false")),
                env.getOrDefault("AIRLOCK_BLOBS_S3_ACCESS_KEY", ""),
                env.getOrDefault("AIRLOCK_BLOBS_S3_SECRET_KEY", ""),
                prefixOf(uri.getPath()));
    }

    /** {@code /team/npm} → {@code team/npm/}: a key prefix has no leading slash and ends at a folder. */
    static String prefixOf(String path) {
        String p = path == null ? "" : path.replaceAll("^/+", "");
        return p.isEmpty() || p.endsWith("/") ? p : p + "/";
    }

    /** Never the secret key: configurations are logged and printed. */
    @Override
    public String toString() {
        return "S3Config[bucket=" + bucket + ", endpoint=" + (endpoint.isEmpty() ? "AWS" : endpoint) + ", region="
                + region + ", pathStyle=" + pathStyle + ", prefix=" + prefix
                + (accessKey.isEmpty() ? ", default credentials" : ", accessKey=" + accessKey) + "]";
    }
}
