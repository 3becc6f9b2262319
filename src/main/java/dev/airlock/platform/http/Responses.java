package dev.airlock.platform.http;

import dev.airlock.platform.json.Json;
import io.javalin.http.Context;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/** Response helpers: JSON bodies and the cache rules npm clients need. */
public final class Responses {
    private Responses() {}

    /** JSON for a dynamic resource: never cached (npm's HTTP cache obeys max-age, even on dist-tags). */
    public static void json(Context ctx, int status, Object body) {
        ctx.status(status);
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/json");
        ctx.result(body instanceof String s ? s : Json.write(body));
    }

    public static void json(Context ctx, Object body) {
        json(ctx, 200, body);
    }

    /** A tarball streamed whole (a staged one, for its reviewers): no compression, the length known up front. */
    public static void tarball(Context ctx, InputStream in, long size) {
        ctx.disableCompression();
        ctx.contentType("application/octet-stream");
        ctx.header("Content-Length", Long.toString(size));
        ctx.result(in);
    }

    /**
     * Sets a stored tarball's {@code ETag} and {@code Accept-Ranges} through {@code header}, and tells whether
     * {@code ifNoneMatch} matches (the answer is then 304): the same on the routes and on the fast path.
     */
    static boolean tarballValidators(
            java.util.function.BiConsumer<String, String> header, String ifNoneMatch, String etag) {
        header.accept("ETag", etag);
        header.accept("Accept-Ranges", "bytes");
        return Conditions.noneMatch(ifNoneMatch, etag);
    }

    /**
     * A tarball exactly as stored, with {@code ETag} (answering {@code If-None-Match} with 304), {@code Accept-Ranges}
     * and a single byte range on request ({@code Range}, {@code If-Range}: 206, or 416 past the end); HEAD gets the
     * same headers and no body. No compression (it is gzip already, and Javalin would otherwise gzip it again under the
     * exact Content-Length given here and fail the response). From a local {@code file} the bytes go from the file to
     * the socket through Jetty's pooled direct buffers (large ones mapped), never through the heap; otherwise
     * {@code open} streams them (S3).
     */
    public static void tarball(
            Context ctx, String etag, long size, Path file, java.util.function.Supplier<InputStream> open) {
        if (tarballValidators(ctx::header, ctx.header("If-None-Match"), etag)) {
            ctx.status(304);
            return;
        }
        ByteRange range =
                Conditions.ifRange(ctx.header("If-Range"), etag) ? ByteRange.parse(ctx.header("Range"), size) : null;
        if (ByteRange.UNSATISFIABLE.equals(range)) {
            ctx.header("Content-Range", "bytes */" + size);
            json(
                    ctx,
                    416,
                    Map.of("error", "The requested range is not satisfiable: the tarball has " + size + " bytes."));
            return;
        }
        long start = 0;
        long length = size;
        if (range != null) {
            start = range.start();
            length = range.length();
            ctx.status(206);
            ctx.header("Content-Range", "bytes " + range.start() + "-" + range.end() + "/" + size);
        }
        ctx.disableCompression();
        ctx.contentType("application/octet-stream");
        ctx.header("Content-Length", Long.toString(length));
        boolean head = "HEAD".equals(ctx.req().getMethod());
        if (file != null) {
            FileBodies.send(ctx, file, size, start, length, head);
        } else if (!head) {
            InputStream in = open.get();
            ctx.result(range == null ? in : FileBodies.slice(in, start, length));
        }
    }

    /**
     * Bytes held in memory (a packument from the cache, in a direct buffer) as the body, with their exact length and
     * no compression: Jetty writes the buffer to the socket as it is, with no copy into the heap. The buffer is not
     * moved (a duplicate is written). HEAD gets the headers only.
     */
    public static void bytes(Context ctx, java.nio.ByteBuffer content) {
        ctx.disableCompression();
        ctx.header("Content-Length", Integer.toString(content.remaining()));
        if (!"HEAD".equals(ctx.req().getMethod())) {
            FileBodies.send(ctx, content.duplicate());
        }
    }

    /** Adds a line the npm CLI prints as "npm notice ...". */
    public static void notice(Context ctx, String message) {
        ctx.header("npm-notice", message);
    }
}
