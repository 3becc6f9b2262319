package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.blob.FileSystemBlobStore;
import dev.airlock.platform.blob.S3BlobStore;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import dev.airlock.testing.TestS3;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/**
 * Tarball reads as HTTP caches and download tools use them, from the filesystem blob store (sent from the file,
 * mapped when large) and from S3 (streamed): exact bytes and Content-Length, ETag and 304, HEAD with GET's headers and
 * no body, single byte ranges (206 with Content-Range), If-Range, and 416 past the end.
 */
class TarballRangesIT {
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void fromTheFileSystem() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            assertThat(registry.airlock.blobs).isInstanceOf(FileSystemBlobStore.class);
            checkAll(registry);
        }
    }

    @Test
    void fromS3() throws Exception {
        try (TestS3 s3 = TestS3.start();
                TestRegistry registry = TestRegistry.start(s3.settings(), new MutableClock())) {
            assertThat(registry.airlock.blobs).isInstanceOf(S3BlobStore.class);
            checkAll(registry);
        }
    }

    private void checkAll(TestRegistry registry) throws Exception {
        String token = registry.userWithToken("ranger");
        // a small tarball (pooled-buffer path) and one over a mebibyte (mapped path)
        for (int noise : List.of(3_000, 1_500_000)) {
            String name = "ranged-" + noise;
            var manifest = Tarballs.manifest(name, "1.0.0");
            byte[] bytes = new byte[noise];
            new Random(noise).nextBytes(bytes);
            byte[] tgz = Tarballs.tgz(
                    Tarballs.Entry.file("package/package.json", Json.write(manifest)),
                    new Tarballs.Entry("package/noise.bin", bytes, TarConstants.LF_NORMAL, null));
            assertThat(registry.http
                            .put(name, token, Json.write(Tarballs.publishBody(manifest, tgz, "latest")))
                            .status())
                    .isEqualTo(201);
            check(registry.url() + name + "/-/" + name + "-1.0.0.tgz", tgz);
        }
    }

    private void check(String url, byte[] tgz) throws Exception {
        int n = tgz.length;
        HttpResponse<byte[]> full = send("GET", url);
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.body()).isEqualTo(tgz);
        assertThat(full.headers().firstValueAsLong("Content-Length")).hasValue(n);
        assertThat(full.headers().firstValue("Accept-Ranges")).contains("bytes");
        assertThat(full.headers().firstValue("Content-Type")).contains("application/octet-stream");
        assertThat(full.headers().firstValue("Content-Encoding")).isEmpty();
        String etag = full.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).matches("\"[0-9a-f]{40}\"");

        HttpResponse<byte[]> head = send("HEAD", url);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        for (String h : List.of("Content-Length", "ETag", "Accept-Ranges", "Content-Type", "Cache-Control")) {
            assertThat(head.headers().firstValue(h))
                    .as(h)
                    .isEqualTo(full.headers().firstValue(h));
        }

        for (String inm : List.of(etag, "W/" + etag, "\"other\", " + etag, "*")) {
            HttpResponse<byte[]> cached = send("GET", url, "If-None-Match", inm);
            assertThat(cached.statusCode()).as(inm).isEqualTo(304);
            assertThat(cached.body()).isEmpty();
            assertThat(cached.headers().firstValue("ETag")).contains(etag);
        }
        assertThat(send("GET", url, "If-None-Match", "\"other\"").body()).isEqualTo(tgz);

        range(url, "bytes=0-99", tgz, 0, 99);
        range(url, "bytes=100-", tgz, 100, n - 1);
        range(url, "bytes=-50", tgz, n - 50, n - 1);
        range(url, "bytes=" + (n - 10) + "-" + (n + 1000), tgz, n - 10, n - 1); // the end is clipped
        range(url, "bytes=-" + (n + 5), tgz, 0, n - 1); // a suffix longer than the file: all of it
        // If-Range with this tag honours the range; another tag or a date sends everything
        assertThat(send("GET", url, "Range", "bytes=5-9", "If-Range", etag).statusCode())
                .isEqualTo(206);
        for (String ifRange : List.of("\"0000\"", "Wed, 21 Oct 2015 07:28:00 GMT")) {
            HttpResponse<byte[]> stale = send("GET", url, "Range", "bytes=5-9", "If-Range", ifRange);
            assertThat(stale.statusCode()).as(ifRange).isEqualTo(200);
            assertThat(stale.body()).isEqualTo(tgz);
        }
        // several ranges, or one this server does not understand: the whole tarball
        for (String ignored : List.of("bytes=0-1,5-6", "items=0-5", "bytes=9-3", "bytes=x-")) {
            HttpResponse<byte[]> all = send("GET", url, "Range", ignored);
            assertThat(all.statusCode()).as(ignored).isEqualTo(200);
            assertThat(all.body()).isEqualTo(tgz);
        }
        for (String past : List.of("bytes=" + n + "-", "bytes=" + (n + 7) + "-" + (n + 9), "bytes=-0")) {
            HttpResponse<byte[]> none = send("GET", url, "Range", past);
            assertThat(none.statusCode()).as(past).isEqualTo(416);
            assertThat(none.headers().firstValue("Content-Range")).contains("bytes */" + n);
            assertThat(Json.parse(new String(none.body(), java.nio.charset.StandardCharsets.UTF_8))
                            .path("error")
                            .asText())
                    .contains("not satisfiable");
        }
        HttpResponse<byte[]> headRange = send("HEAD", url, "Range", "bytes=0-9");
        assertThat(headRange.statusCode()).isEqualTo(206);
        assertThat(headRange.headers().firstValue("Content-Range")).contains("bytes 0-9/" + n);
        assertThat(headRange.headers().firstValueAsLong("Content-Length")).hasValue(10);
        assertThat(headRange.body()).isEmpty();
    }

    private void range(String url, String header, byte[] tgz, int first, int last) throws Exception {
        HttpResponse<byte[]> r = send("GET", url, "Range", header, "Accept-Encoding", "gzip");
        assertThat(r.statusCode()).as(header).isEqualTo(206);
        assertThat(r.headers().firstValue("Content-Range"))
                .as(header)
                .contains("bytes " + first + "-" + last + "/" + tgz.length);
        assertThat(r.headers().firstValueAsLong("Content-Length")).as(header).hasValue(last - first + 1);
        assertThat(r.body()).as(header).isEqualTo(Arrays.copyOfRange(tgz, first, last + 1));
    }

    private HttpResponse<byte[]> send(String method, String url, String... headers) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
