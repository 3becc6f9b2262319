package dev.airlock.platform.http;

import dev.airlock.platform.json.Json;
import io.javalin.http.Context;

/** Response helpers: JSON bodies and the cache rules npm clients need. */
public final class Responses {
    private Responses() {
    }

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

    /** Adds a line the npm CLI prints as "npm notice ...". */
    public static void notice(Context ctx, String message) {
        ctx.header("npm-notice", message);
    }
}
