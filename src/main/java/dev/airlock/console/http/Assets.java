package dev.airlock.console.http;

import dev.airlock.platform.crypto.Hashes;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The console's static files (src/main/resources/console): its style sheet and its one script. They are served at
 * {@code /-/console/assets/<version>/<name>}, the version being a hash of their content, so browsers may keep them
 * for a year ({@code immutable}) and a new build changes the URL. The CSP allows style and script from 'self' only.
 */
final class Assets {
    private static final Map<String, String> TYPES =
            Map.of("app.css", "text/css; charset=utf-8", "webauthn.js", "text/javascript; charset=utf-8");
    private final Map<String, byte[]> files;
    final String version;

    Assets() {
        files = Map.of("app.css", read("/console/app.css"), "webauthn.js", read("/console/webauthn.js"));
        StringBuilder all = new StringBuilder();
        files.keySet().stream()
                .sorted()
                .forEach(n ->
                        all.append(n).append(Hashes.hex(Hashes.digest("SHA-256").digest(files.get(n)))));
        version = Hashes.sha256Hex(all.toString()).substring(0, 12);
    }

    void register(RoutesConfig routes) {
        routes.get("/-/console/assets/{version}/{name}", ctx -> {
            byte[] body = files.get(ctx.pathParam("name"));
            if (body == null) {
                ctx.status(404).contentType("text/plain; charset=utf-8").result("No such file.");
                return;
            }
            ctx.contentType(TYPES.get(ctx.pathParam("name")));
            // an old version's URL still gets the current file, but only the current URL may be kept for good
            ctx.header(
                    "Cache-Control",
                    version.equals(ctx.pathParam("version")) ? "public, max-age=31536000, immutable" : "no-cache");
            ctx.result(body);
        });
    }

    private static byte[] read(String name) {
        try (InputStream in = Assets.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }
}
