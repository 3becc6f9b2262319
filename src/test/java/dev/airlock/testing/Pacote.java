package dev.airlock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pacote inside the npm the build installs, run by node the way {@code npm audit signatures} runs it: the
 * registry's {@code /-/npm/v1/keys} as {@code //host/path:_keys} (with npm's {@code pemkey}), {@code verifySignatures:
 * true}, a fresh cache each run. Each spec answers {@code {ok, signatures, integrity}} or {@code {ok:false, code,
 * message}}.
 */
public final class Pacote {
    private static final String SCRIPT = """
            const [pacoteDir, registry, cache, ...specs] = process.argv.slice(2)
            const pacote = require(pacoteDir)
            ;(async () => {
              const { keys } = await (await fetch(new URL('-/npm/v1/keys', registry))).json()
              const u = new URL(registry)
              const registryKeys = keys.map(k => ({ ...k,
                pemkey: `-----BEGIN PUBLIC KEY-----\\n${k.key}\\n-----END PUBLIC KEY-----` }))
              const out = {}
              for (const spec of specs) {
                try {
                  const m = await pacote.manifest(spec, { registry, cache, preferOnline: true,
                    verifySignatures: true, [`//${u.host}${u.pathname}:_keys`]: registryKeys })
                  out[spec] = { ok: true, signatures: m._signatures || null, integrity: m._integrity }
                } catch (e) {
                  out[spec] = { ok: false, code: e.code || null, message: e.message }
                }
              }
              console.log(JSON.stringify(out))
            })().catch(e => { console.error(e); process.exit(2) })
            """;

    private Pacote() {}

    /** Verifies each spec ({@code name@version}) against {@code registry} (with trailing slash). */
    public static JsonNode verify(String registry, String... specs) {
        try {
            Path dir = Files.createTempDirectory("pacote");
            try {
                Path script = dir.resolve("verify.js");
                Files.writeString(script, SCRIPT);
                List<String> argv = new ArrayList<>(List.of(
                        "node",
                        script.toString(),
                        Clients.root()
                                .resolve("node_modules/npm/node_modules/pacote")
                                .toString(),
                        registry,
                        dir.resolve("cache").toString()));
                argv.addAll(List.of(specs));
                Map<String, String> env = Cli.baseEnv(dir);
                Cli.Result r = Cli.run(dir, env, argv, Map.of(), 120);
                if (r.exit() != 0) {
                    throw new IllegalStateException("pacote script failed: " + r);
                }
                return Json.parse(r.stdout().strip());
            } finally {
                Files2.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
