package dev.airlock.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Http;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.util.ArrayList;
import java.util.List;

/** Real content in a registry (through HTTP, as npm sends it), and the comparison of two registries' content. */
final class RegistryContent {
    static final String ABBREVIATED = "application/vnd.npm.install-v1+json";

    /** What {@link #fill} made. */
    record Filled(String ownerToken, Authenticator ownerApp, String devToken, String stageId, List<String> names) {}

    private RegistryContent() {}

    /**
     * Users (owner with TOTP for logins and writes, dev with a password), an org, published versions of a plain and a
     * scoped package, a dist-tag set with a code, a staged version, a revoked token: every one also an audit entry.
     */
    static Filled fill(TestRegistry r) {
        String owner = r.userWithToken("owner");
        Authenticator app = r.enableTwoFactor("owner", owner, "auth-and-writes");
        String dev = r.userWithToken("dev");
        r.createOrg("acme", "owner");
        List<String> names = List.of("alpha", "@acme/widget");
        for (String name : names) {
            for (String version : List.of("1.0.0", "1.1.0")) {
                Http.Response p = r.http.send(
                        "PUT",
                        Tarballs.escaped(name),
                        owner,
                        Json.write(Tarballs.publishBody(name, version)),
                        "npm-otp",
                        app.next());
                assertThat(p.status()).as(p.body()).isEqualTo(201);
            }
        }
        Http.Response tag =
                r.http.send("PUT", "-/package/alpha/dist-tags/stable", owner, "\"1.0.0\"", "npm-otp", app.next());
        assertThat(tag.status()).as(tag.body()).isEqualTo(201);
        String stageId = r.stage(owner, "alpha", "2.0.0", true);
        String spare = r.login("dev", "dev-password");
        assertThat(r.http.delete("-/user/token/" + spare, spare).status()).isLessThan(300);
        return new Filled(owner, app, dev, stageId, names);
    }

    /** Every package name the registry holds, sorted. */
    static List<String> names(TestRegistry r) {
        return r.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT name FROM packages ORDER BY name")
                .mapTo(String.class)
                .list());
    }

    /**
     * Asserts that {@code copy} serves each named packument (full and abbreviated) and each of its tarballs with the
     * same bytes as {@code original}; returns how many tarballs it compared.
     */
    static int assertSameContent(TestRegistry original, TestRegistry copy, List<String> names) {
        int tarballs = 0;
        for (String name : names) {
            String path = Tarballs.escaped(name);
            Http.Response full = original.http.get(path, null);
            assertThat(full.status()).as(name).isEqualTo(200);
            assertThat(copy.http.get(path, null).body())
                    .as("packument of " + name)
                    .isEqualTo(full.body());
            String abbreviated =
                    original.http.get(path, null, "Accept", ABBREVIATED).body();
            assertThat(copy.http.get(path, null, "Accept", ABBREVIATED).body())
                    .as("abbreviated packument of " + name)
                    .isEqualTo(abbreviated);
            List<String> urls = new ArrayList<>();
            full.json()
                    .path("versions")
                    .forEach(v -> urls.add(v.path("dist").path("tarball").asText()));
            for (String url : urls) {
                String base = "http://127.0.0.1:" + original.port + "/";
                assertThat(url).startsWith(base);
                byte[] bytes = original.http.bytes(url.substring(base.length()), null);
                assertThat(bytes).as(url).isNotNull();
                assertThat(copy.http.bytes(url.substring(base.length()), null))
                        .as("tarball " + url)
                        .isEqualTo(bytes);
                tarballs++;
            }
        }
        return tarballs;
    }

    /** The staged version as its approver sees it: the same on both. */
    static void assertSameStage(TestRegistry original, TestRegistry copy, String token, String stageId) {
        JsonNode a = original.http.get("-/stage/" + stageId, token).json();
        assertThat(a.path("integrity").asText()).isNotEmpty();
        assertThat(copy.http.get("-/stage/" + stageId, token).json()).isEqualTo(a);
    }
}
