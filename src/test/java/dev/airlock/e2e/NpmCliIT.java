package dev.airlock.e2e;

import static dev.airlock.testing.Expect.fails;
import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every registry command of issue #2 through the real npm 11.19.1 CLI, including the failures a user hits. */
class NpmCliIT {
    static TestRegistry registry;
    static Npm alice;
    static Npm bob;
    static Npm carol;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        alice = Npm.withToken(tmp.resolve("alice-home"), registry.url(), registry.userWithToken("alice"));
        bob = Npm.withToken(tmp.resolve("bob-home"), registry.url(), registry.userWithToken("bob"));
        carol = Npm.withToken(tmp.resolve("carol-home"), registry.url(), registry.userWithToken("carol"));
        registry.createOrg("acme", "alice");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static Path pkg(String dir, String packageJson) {
        Path d = tmp.resolve("pkgs").resolve(dir);
        Files2.write(d.resolve("package.json"), packageJson);
        Files2.write(d.resolve("index.js"), "module.exports = '" + dir + "';\n");
        Files2.write(d.resolve("README.md"), "# " + dir + "\n");
        return d;
    }

    static JsonNode json(Cli.Result r) {
        return Json.parse(r.stdout());
    }

    @Test
    void pingAndWhoami() {
        ok(alice.run(tmp, "ping"));
        assertThat(ok(alice.run(tmp, "whoami")).stdout().trim()).isEqualTo("alice");
        Npm anonymous = new Npm(tmp.resolve("anon-home"), registry.url());
        fails(anonymous.run(tmp, "whoami"), "ENEEDAUTH");
    }

    @Test
    void loginWithThePasswordPromptsThenLogout() {
        registry.addUser("dave", "dave-password");
        Npm dave = new Npm(tmp.resolve("dave-home"), registry.url());
        Cli.Result login = dave.run(
                tmp, Cli.answers("Username:", "dave", "Password:", "dave-password"), "login", "--auth-type=legacy");
        ok(login);
        assertThat(login.stdout()).contains("Logged in on " + registry.url());
        assertThat(dave.userconfig()).contains(":_authToken=npm_");
        assertThat(ok(dave.run(tmp, "whoami")).stdout().trim()).isEqualTo("dave");
        ok(dave.run(tmp, "logout"));
        assertThat(dave.userconfig()).doesNotContain("_authToken");

        Npm wrong = new Npm(tmp.resolve("wrong-home"), registry.url());
        fails(
                wrong.run(
                        tmp,
                        Cli.answers("Username:", "dave", "Password:", "not-the-password"),
                        "login",
                        "--auth-type=legacy"),
                "Incorrect");
        // The default (web) login: npm prints a URL and polls; the person signs in there (here: the form, over HTTP)
        Npm web = new Npm(tmp.resolve("web-home"), registry.url());
        Cli.Result webLogin = ok(web.run(
                tmp,
                java.util.List.of(new Cli.Answer("Login at:", out -> {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                                    "(http://\\S+/-/console/web-login/[A-Za-z0-9]+)")
                            .matcher(out);
                    assertThat(m.find()).as(out).isTrue();
                    assertThat(postForm(m.group(1), "username=dave&password=dave-password&otp="))
                            .isEqualTo(200);
                    return "";
                })),
                "login"));
        assertThat(webLogin.stdout()).contains("Logged in on " + registry.url());
        assertThat(ok(web.run(tmp, "whoami")).stdout().trim()).isEqualTo("dave");
    }

    @Test
    void adduserIsRefusedWhenSelfRegistrationIsOff() {
        Npm eve = new Npm(tmp.resolve("eve-home"), registry.url());
        fails(
                eve.run(
                        tmp,
                        Cli.answers("Username:", "eve", "Password:", "eve-password", "Email", "eve@example.com"),
                        "adduser",
                        "--auth-type=legacy"),
                "self-registration is off");
    }

    @Test
    void publishViewInstallAndTags() {
        Path lib = pkg("chain-c", "{\"name\":\"chain-c\",\"version\":\"1.0.0\",\"license\":\"MIT\"}");
        // a tarball well over the server's compression threshold (npm asks for tarballs with Accept-Encoding: gzip)
        String data = InstallClientsIT.data("chain-c");
        Files2.write(lib.resolve("data.txt"), data);
        ok(alice.run(lib, "publish"));
        Path mid = pkg(
                "chain-b", "{\"name\":\"chain-b\",\"version\":\"1.0.0\",\"dependencies\":{\"chain-c\":\"^1.0.0\"}}");
        ok(alice.run(mid, "publish"));
        Path top = pkg(
                "acme-top",
                "{\"name\":\"@acme/top\",\"version\":\"2.0.0\",\"description\":\"top of the chain\","
                        + "\"bin\":{\"acme-top\":\"index.js\"},\"dependencies\":{\"chain-b\":\"^1.0.0\"}}");
        Cli.Result published = ok(alice.run(top, "publish", "--access", "public"));
        assertThat(published.stdout()).contains("+ @acme/top@2.0.0");

        JsonNode view = json(ok(bob.run(tmp, "view", "@acme/top", "--json")));
        assertThat(view.path("version").asText()).isEqualTo("2.0.0");
        assertThat(view.path("dist").path("tarball").asText()).isEqualTo(registry.url() + "@acme/top/-/top-2.0.0.tgz");
        assertThat(view.path("_npmUser").asText()).startsWith("alice");
        assertThat(ok(bob.run(tmp, "view", "@acme/top", "description")).stdout().trim())
                .isEqualTo("top of the chain");

        Path consumer = tmp.resolve("consumer");
        Files2.write(consumer.resolve("package.json"), "{\"name\":\"consumer\",\"version\":\"1.0.0\"}");
        ok(bob.run(consumer, "install", "@acme/top"));
        assertThat(consumer.resolve("node_modules/chain-c/data.txt")).content().isEqualTo(data);
        assertThat(consumer.resolve("node_modules/.bin/acme-top")).exists();
        String lock = Files2.read(consumer.resolve("package-lock.json"));
        assertThat(lock)
                .contains("\"resolved\": \"" + registry.url() + "chain-b/-/chain-b-1.0.0.tgz\"")
                .contains("sha512-");

        // --tag: a prerelease goes to next and does not move latest
        Files2.write(
                top.resolve("package.json"),
                "{\"name\":\"@acme/top\",\"version\":\"2.1.0-beta.1\",\"description\":\"top of the chain\","
                        + "\"bin\":{\"acme-top\":\"index.js\"},\"dependencies\":{\"chain-b\":\"^1.0.0\"}}");
        ok(alice.run(top, "publish", "--tag", "next"));
        String tags = ok(bob.run(tmp, "dist-tag", "ls", "@acme/top")).stdout();
        assertThat(tags).contains("latest: 2.0.0").contains("next: 2.1.0-beta.1");
        ok(alice.run(tmp, "dist-tag", "add", "@acme/top@2.1.0-beta.1", "beta"));
        ok(alice.run(tmp, "dist-tag", "rm", "@acme/top", "next"));
        tags = ok(bob.run(tmp, "dist-tag", "ls", "@acme/top")).stdout();
        assertThat(tags).contains("beta: 2.1.0-beta.1").doesNotContain("next:");
        fails(bob.run(tmp, "dist-tag", "add", "@acme/top@2.0.0", "stable"), "not one of its maintainers");
        fails(alice.run(tmp, "dist-tag", "add", "@acme/top@9.9.9", "nope"), "does not exist");
    }

    @Test
    void publishesPackagesWhoseManifestNpmRewrites() {
        // npm publish sends "mocha --reporter dot": it strips node_modules/.bin/ from scripts
        Path mocha = pkg(
                "mocha-tested",
                "{\"name\":\"mocha-tested\",\"version\":\"1.0.0\",\"license\":\"MIT\","
                        + "\"scripts\":{\"test\":\"node_modules/.bin/mocha --reporter dot\"}}");
        ok(alice.run(mocha, "publish"));
        assertThat(ok(bob.run(tmp, "view", "mocha-tested", "scripts.test"))
                        .stdout()
                        .trim())
                .isEqualTo("mocha --reporter dot");

        // directories.bin: npm lists the folder's files (not dotfiles) as bin, and packs them whatever "files" says
        Path bins = pkg(
                "bin-dir",
                "{\"name\":\"bin-dir\",\"version\":\"1.0.0\",\"directories\":{\"bin\":\"./bin\"},"
                        + "\"files\":[\"index.js\",\"bin/tool\"]}");
        Files2.write(bins.resolve("bin/tool"), "#!/usr/bin/env node\nconsole.log('tool')\n");
        Files2.write(bins.resolve("bin/.hidden"), "not a bin\n");
        Files2.write(bins.resolve("bin/left-out"), "#!/usr/bin/env node\n");
        ok(alice.run(bins, "publish"));
        JsonNode bin = json(ok(bob.run(tmp, "view", "bin-dir", "bin", "--json")));
        assertThat(bin.path("tool").asText()).isEqualTo("bin/tool");
        assertThat(bin.path("left-out").asText()).isEqualTo("bin/left-out");
        assertThat(bin.has(".hidden")).isFalse();

        // server.js and no start script: npm adds "node server.js", also when "files" leaves server.js out
        Path server = pkg("server-js", "{\"name\":\"server-js\",\"version\":\"1.0.0\"}");
        Files2.write(server.resolve("server.js"), "console.log('serving')\n");
        ok(alice.run(server, "publish"));
        assertThat(ok(bob.run(tmp, "view", "server-js", "scripts.start"))
                        .stdout()
                        .trim())
                .isEqualTo("node server.js");
        Path serverOut =
                pkg("server-left-out", "{\"name\":\"server-left-out\",\"version\":\"1.0.0\",\"files\":[\"index.js\"]}");
        Files2.write(serverOut.resolve("server.js"), "console.log('serving')\n");
        ok(alice.run(serverOut, "publish"));

        Path consumer = tmp.resolve("rewritten-consumer");
        Files2.write(consumer.resolve("package.json"), "{\"name\":\"rewritten-consumer\",\"version\":\"1.0.0\"}");
        ok(bob.run(consumer, "install", "mocha-tested", "bin-dir", "server-js"));
        assertThat(consumer.resolve("node_modules/.bin/tool")).exists();
        assertThat(consumer.resolve("node_modules/.bin/left-out")).exists();
        assertThat(consumer.resolve("node_modules/.bin/.hidden")).doesNotExist();
    }

    @Test
    void publishingTheSameVersionTwiceFails() {
        Path d = pkg("twice", "{\"name\":\"twice\",\"version\":\"1.0.0\"}");
        ok(alice.run(d, "publish"));
        // --force skips the CLI's own pre-check, so the server is the guard
        fails(alice.run(d, "publish", "--force"), "cannot publish over the previously published version");
    }

    @Test
    void onlyMaintainersPublishAndOnlyMembersUseAScope() {
        Path d = pkg("alices", "{\"name\":\"alices\",\"version\":\"1.0.0\"}");
        ok(alice.run(d, "publish"));
        Files2.write(d.resolve("package.json"), "{\"name\":\"alices\",\"version\":\"1.0.1\"}");
        fails(bob.run(d, "publish"), "not one of its maintainers");

        Path scoped = pkg("acme-secret", "{\"name\":\"@acme/secret\",\"version\":\"1.0.0\"}");
        fails(carol.run(scoped, "publish"), "not a member of org \"acme\"");
        Path other = pkg("bob-scope", "{\"name\":\"@bob/thing\",\"version\":\"1.0.0\"}");
        fails(carol.run(other, "publish", "--access", "public"), "does not belong to you");
        ok(bob.run(other, "publish", "--access", "public"));
    }

    @Test
    void deprecateAndUndeprecate() {
        Path d = pkg("olds", "{\"name\":\"olds\",\"version\":\"1.0.0\"}");
        ok(alice.run(d, "publish"));
        ok(alice.run(tmp, "deprecate", "olds@1.0.0", "use news instead"));
        assertThat(ok(bob.run(tmp, "view", "olds@1.0.0", "deprecated")).stdout())
                .contains("use news instead");
        fails(bob.run(tmp, "deprecate", "olds@1.0.0", "hijack"), "not one of its maintainers");
        ok(alice.run(tmp, "undeprecate", "olds@1.0.0"));
        assertThat(ok(bob.run(tmp, "view", "olds@1.0.0", "deprecated")).stdout().trim())
                .isEmpty();
    }

    @Test
    void unpublishAVersionThenTheWholePackageAndNumbersAreNeverReused() {
        Path d = pkg("gone", "{\"name\":\"gone\",\"version\":\"1.0.0\"}");
        ok(alice.run(d, "publish"));
        Files2.write(d.resolve("package.json"), "{\"name\":\"gone\",\"version\":\"1.1.0\"}");
        ok(alice.run(d, "publish"));
        fails(bob.run(tmp, "unpublish", "gone@1.1.0"), "not one of its maintainers");
        ok(alice.run(tmp, "unpublish", "gone@1.1.0"));
        JsonNode versions = json(ok(bob.run(tmp, "view", "gone", "versions", "--json")));
        assertThat(versions.toString()).contains("1.0.0").doesNotContain("1.1.0");
        assertThat(ok(bob.run(tmp, "view", "gone", "dist-tags.latest")).stdout().trim())
                .isEqualTo("1.0.0");
        assertThat(registry.http.get("gone/-/gone-1.1.0.tgz", null).status()).isEqualTo(404);
        // the number of an unpublished version can never be used again
        fails(alice.run(d, "publish"), "cannot be reused");

        ok(alice.run(tmp, "unpublish", "gone", "--force"));
        fails(bob.run(tmp, "view", "gone"), "E404");
        assertThat(registry.http.get("gone/-/gone-1.0.0.tgz", null).status()).isEqualTo(404);
        Files2.write(d.resolve("package.json"), "{\"name\":\"gone\",\"version\":\"1.0.0\"}");
        fails(alice.run(d, "publish"), "cannot be reused");
    }

    @Test
    void owners() {
        Path d = pkg("shared", "{\"name\":\"shared\",\"version\":\"1.0.0\"}");
        ok(alice.run(d, "publish"));
        ok(alice.run(tmp, "owner", "add", "bob", "shared"));
        assertThat(ok(carol.run(tmp, "owner", "ls", "shared")).stdout())
                .contains("alice <alice@example.com>")
                .contains("bob <bob@example.com>");
        Files2.write(d.resolve("package.json"), "{\"name\":\"shared\",\"version\":\"1.0.1\"}");
        ok(bob.run(d, "publish"));
        ok(bob.run(tmp, "owner", "rm", "alice", "shared"));
        assertThat(ok(carol.run(tmp, "owner", "ls", "shared")).stdout()).doesNotContain("alice");
        fails(carol.run(tmp, "owner", "add", "carol", "shared"), "EOWNERMUTATE");
        fails(bob.run(tmp, "owner", "add", "nobody-here", "shared"), "404");
    }

    @Test
    void search() {
        Path d = pkg(
                "searchable",
                "{\"name\":\"searchable-widget\",\"version\":\"1.0.0\",\"description\":\"a fancy widget\","
                        + "\"keywords\":[\"gizmo\"]}");
        ok(alice.run(d, "publish"));
        String out = ok(bob.run(tmp, "search", "gizmo")).stdout();
        assertThat(out).contains("searchable-widget").contains("a fancy widget");
        JsonNode results = json(ok(bob.run(tmp, "search", "fancy widget", "--json")));
        assertThat(results.get(0).path("name").asText()).isEqualTo("searchable-widget");
        assertThat(ok(bob.run(tmp, "search", "no-such-thing-anywhere")).stdout())
                .contains("No matches");
    }

    @Test
    void accessStatusGrantsAndListings() {
        Path d = pkg("acme-private", "{\"name\":\"@acme/private\",\"version\":\"1.0.0\"}");
        ok(alice.run(d, "publish", "--access", "restricted"));
        assertThat(ok(alice.run(tmp, "access", "get", "status", "@acme/private"))
                        .stdout())
                .contains("private");
        // invisible to non-members: 404, never 403
        fails(carol.run(tmp, "view", "@acme/private"), "E404");
        assertThat(registry.http.get("@acme%2fprivate", null).status()).isEqualTo(404);

        ok(alice.run(tmp, "org", "set", "acme", "bob", "developer"));
        ok(bob.run(tmp, "view", "@acme/private"));
        Files2.write(d.resolve("package.json"), "{\"name\":\"@acme/private\",\"version\":\"1.0.1\"}");
        fails(bob.run(d, "publish"), "not one of its maintainers");

        ok(alice.run(tmp, "team", "create", "acme:writers"));
        ok(alice.run(tmp, "team", "add", "acme:writers", "bob"));
        ok(alice.run(tmp, "access", "grant", "read-write", "acme:writers", "@acme/private"));
        assertThat(ok(alice.run(tmp, "access", "list", "collaborators", "@acme/private"))
                        .stdout())
                .contains("bob: read-write");
        assertThat(ok(alice.run(tmp, "access", "list", "packages", "acme:writers"))
                        .stdout())
                .contains("@acme/private: read-write");
        ok(bob.run(d, "publish"));
        ok(alice.run(tmp, "access", "revoke", "acme:writers", "@acme/private"));
        Files2.write(d.resolve("package.json"), "{\"name\":\"@acme/private\",\"version\":\"1.0.2\"}");
        fails(bob.run(d, "publish"), "not one of its maintainers");

        assertThat(ok(alice.run(tmp, "access", "list", "packages", "acme")).stdout())
                .contains("@acme/private: read-write");
        ok(alice.run(tmp, "access", "set", "status=public", "@acme/private"));
        assertThat(ok(alice.run(tmp, "access", "get", "status", "@acme/private"))
                        .stdout())
                .contains("public");
        ok(carol.run(tmp, "view", "@acme/private"));
        fails(carol.run(tmp, "access", "set", "status=private", "@acme/private"), "not one of its maintainers");
        ok(alice.run(tmp, "org", "rm", "acme", "bob"));
    }

    @Test
    void orgsAndTeams() {
        ok(alice.run(tmp, "org", "set", "acme", "carol", "admin"));
        assertThat(ok(alice.run(tmp, "org", "ls", "acme")).stdout())
                .contains("carol - admin")
                .contains("alice - owner");
        fails(carol.run(tmp, "org", "set", "acme", "carol", "owner"), "Only an owner");
        ok(carol.run(tmp, "team", "create", "acme:docs"));
        ok(carol.run(tmp, "team", "add", "acme:docs", "carol"));
        assertThat(ok(carol.run(tmp, "team", "ls", "acme")).stdout()).contains("@acme:docs");
        assertThat(ok(carol.run(tmp, "team", "ls", "acme:docs")).stdout()).contains("carol");
        ok(carol.run(tmp, "team", "rm", "acme:docs", "carol"));
        ok(carol.run(tmp, "team", "destroy", "acme:docs"));
        assertThat(ok(carol.run(tmp, "team", "ls", "acme")).stdout()).doesNotContain("@acme:docs");
        fails(alice.run(tmp, "org", "rm", "acme", "alice"), "last owner");
        ok(alice.run(tmp, "org", "rm", "acme", "carol"));
        fails(carol.run(tmp, "org", "ls", "acme"), "404");
    }

    @Test
    void tokensListAndRevoke() {
        String token = registry.userWithToken("frank");
        Npm frank = Npm.withToken(tmp.resolve("frank-home"), registry.url(), token);
        String second = registry.login("frank", "frank-password");
        String list = ok(frank.run(tmp, "token", "list")).stdout();
        assertThat(list).contains("Token " + token.substring(0, 6)).contains("Token " + second.substring(0, 6));
        ok(frank.run(tmp, "token", "revoke", second));
        assertThat(registry.http.get("-/whoami", second).status()).isEqualTo(401);
        assertThat(ok(frank.run(tmp, "token", "list")).stdout()).doesNotContain("Token " + second.substring(0, 6));
        assertThat(ok(frank.run(tmp, "whoami")).stdout().trim()).isEqualTo("frank");
    }

    @Test
    void anonymousReadsFollowTheConfiguration() throws Exception {
        Path d = pkg("readable", "{\"name\":\"readable\",\"version\":\"1.0.0\"}");
        ok(alice.run(d, "publish"));
        Npm anonymous = new Npm(tmp.resolve("anon2-home"), registry.url());
        ok(anonymous.run(tmp, "view", "readable"));
        try (TestRegistry closed = TestRegistry.start(java.util.Map.of("auth.anonymousRead", "false"))) {
            Npm owner = Npm.withToken(tmp.resolve("closed-owner"), closed.url(), closed.userWithToken("zed"));
            ok(owner.run(d, "publish"));
            ok(owner.run(tmp, "view", "readable"));
            Npm stranger = new Npm(tmp.resolve("closed-anon"), closed.url());
            fails(stranger.run(tmp, "view", "readable"), "E404");
        }
        assertThat(Files.exists(d)).isTrue();
    }

    @Test
    void tokenCreateHonoursTheCidrAllowList() {
        Npm gina = Npm.withToken(tmp.resolve("gina-home"), registry.url(), registry.userWithToken("gina"));
        Cli.Result outside = ok(gina.run(tmp, "token", "create", "--password=gina-password", "--cidr=10.0.0.0/8"));
        String fenced = created(outside);
        Http.Response r = registry.http.get("-/whoami", fenced);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("ipaddress");
        Npm fencedCli = Npm.withToken(tmp.resolve("gina-fenced"), registry.url(), fenced);
        fails(fencedCli.run(tmp, "whoami"), "EAUTHIP");

        String local = created(ok(gina.run(tmp, "token", "create", "--password=gina-password", "--cidr=127.0.0.0/8")));
        assertThat(registry.http.get("-/whoami", local).json().path("username").asText())
                .isEqualTo("gina");
        fails(gina.run(tmp, "token", "create", "--password=wrong-password"), "Incorrect password");
    }

    private static String created(Cli.Result r) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Created token (npm_[A-Za-z0-9]+)")
                .matcher(r.stdout());
        assertThat(m.find()).as(r.toString()).isTrue();
        return m.group(1);
    }

    static int postForm(String url, String form) {
        try {
            return java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                                    .header("Content-Type", "application/x-www-form-urlencoded")
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
