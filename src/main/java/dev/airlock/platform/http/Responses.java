package dev.airlock.platform.http;

import dev.airlock.platform.json.Json;
import io.javalin.http.Context;
import java.io.InputStream;

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

    /**
     * A tarball exactly as stored: no compression (it is gzip already, and Javalin would otherwise gzip it again
     * under the exact Content-Length given here and fail the response), the length known up front.
     */
    public static void tarball(Context ctx, InputStream in, long size) {
        ctx.disableCompression();
        ctx.contentType("application/octet-stream");
        ctx.header("Content-Length", Long.toString(size));
        ctx.result(in);
    }

    /** Adds a line the npm CLI prints as "npm notice ...". */
    public static void notice(Context ctx, String message) {
        ctx.header("npm-notice", message);
    }
}
