package dev.airlock.deprovisioning;

import static dev.airlock.testing.Expect.fails;
import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.AuditEvent;
import dev.airlock.orgs.OrgRole;
import dev.airlock.shared.Actor;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./airlock user deactivate} end to end: a user signed in everywhere (npm token, console session, org owner
 * and team member) is deactivated from the operator's command line while the server runs; the real npm CLI then
 * finds the old token refused with a clear 401, publish refused, and every sign-in path (npm login legacy, npm
 * adduser, npm's web login page, console password) says the account is deactivated. Published versions stay.
 */
class DeactivateIT {
    static TestRegistry registry;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static String cli(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--data", registry.dataDir.toString()));
        return AirlockCommand.run("", all.toArray(String[]::new));
    }

    static Path pkg(String name, String version) {
        Path d = tmp.resolve("pkgs").resolve(name + "-" + version);
        Files2.write(d.resolve("package.json"), "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
        Files2.write(d.resolve("index.js"), "module.exports = 1;\n");
        return d;
    }

    static List<String> actions(String target) {
        return registry.airlock.audit.forTarget(target).stream()
                .map(AuditEvent::action)
                .toList();
    }

    @Test
    void aDeactivatedUserLosesEveryWayInAndKeepsWhatTheyPublished() throws Exception {
        String token = registry.userWithToken("leaver");
        String second = registry.login("leaver", "leaver-password");
        Npm leaver = Npm.withToken(tmp.resolve("leaver-home"), registry.url(), token);
        registry.addUser("stays", "stays-password");
        registry.createOrg("solo", "leaver");
        registry.createOrg("shared", "stays");
        registry.airlock.orgs.setMember(Actor.operator(), "shared", "leaver", OrgRole.ADMIN);
        registry.airlock.orgs.createTeam(Actor.operator(), "shared", "core", "core team");
        registry.airlock.orgs.addToTeam(Actor.operator(), "shared", "core", "leaver");
        var session = registry.airlock.console.signIn("leaver", "leaver-password", null, Actor.anonymous("127.0.0.1"));
        String cookie = session.opened().cookie();
        assertThat(registry.airlock.console.resolve(cookie)).isNotNull();

        assertThat(ok(leaver.run(tmp, "whoami")).stdout().trim()).isEqualTo("leaver");
        ok(leaver.run(pkg("leaver-lib", "1.0.0"), "publish"));

        String out = cli("user", "deactivate", "leaver");
        assertThat(out)
                .startsWith("exit=0")
                .contains("Deactivated leaver: 2 token(s) revoked, 1 console session(s) ended")
                .contains("org(s) shared, solo")
                .contains("Warning: org solo has no owner now; name one with ./airlock org add solo USER --role owner");
        assertThat(cli("user", "deactivate", "leaver")).startsWith("exit=0").contains("deactivated already");
        assertThat(cli("user", "deactivate", "nobody")).startsWith("exit=1").contains("No user \"nobody\"");
        assertThat(cli("user", "list")).contains("leaver\tleaver@example.com\tdeactivated");

        // the old tokens: a clear 401 in the real npm CLI, and nothing can be published with them
        Cli.Result whoami = fails(leaver.run(tmp, "whoami"), "E401");
        assertThat(whoami.all()).contains("The account \"leaver\" is deactivated: its tokens no longer work");
        Cli.Result publish = leaver.run(pkg("leaver-lib", "1.0.1"), "publish");
        assertThat(publish.exit()).isNotZero();
        assertThat(publish.all()).contains("deactivated");
        assertThat(registry.http.get("-/whoami", second).status()).isEqualTo(401);
        // console session gone; orgs and teams left (the last owner too: the org is left without owner, said above)
        assertThat(registry.airlock.console.resolve(cookie)).isNull();
        assertThat(registry.airlock.orgs.members(Actor.operator(), "solo")).isEmpty();
        assertThat(registry.airlock.orgs.members(Actor.operator(), "shared")).containsOnlyKeys("stays");
        assertThat(registry.airlock.orgs.teamMembers(Actor.operator(), "shared", "core"))
                .isEmpty();
        // audited as npm org rm / npm team rm would be, plus the deactivation itself
        assertThat(actions("org:solo")).endsWith("org.member.remove");
        assertThat(registry.airlock.audit.forTarget("org:solo").stream()
                        .filter(e -> e.action().equals("org.member.remove"))
                        .findFirst()
                        .orElseThrow()
                        .detail()
                        .toString())
                .contains("lastOwner");
        assertThat(actions("org:shared")).contains("org.member.remove");
        assertThat(actions("team:shared:core")).endsWith("team.member.remove");
        assertThat(actions("user:leaver")).endsWith("user.deactivate");
        // and nobody can put the account back into an org (npm org set) while it is deactivated
        assertThatThrownBy(
                        () -> registry.airlock.orgs.setMember(Actor.operator(), "shared", "leaver", OrgRole.DEVELOPER))
                .hasMessageContaining("\"leaver\" is deactivated");
        assertThat(registry.airlock.orgs.members(Actor.operator(), "shared")).containsOnlyKeys("stays");

        // every sign-in path says why, once the password is right; a wrong password learns nothing
        Npm fresh = new Npm(tmp.resolve("fresh-home"), registry.url());
        fails(
                fresh.run(
                        tmp,
                        Cli.answers("Username:", "leaver", "Password:", "leaver-password"),
                        "login",
                        "--auth-type=legacy"),
                "is deactivated and can no longer sign in");
        fails(
                fresh.run(
                        tmp,
                        Cli.answers("Username:", "leaver", "Password:", "wrong-password"),
                        "login",
                        "--auth-type=legacy"),
                "Incorrect username or password");
        fails(
                fresh.run(
                        tmp,
                        Cli.answers(
                                "Username:", "leaver", "Password:", "leaver-password", "Email", "leaver@example.com"),
                        "adduser",
                        "--auth-type=legacy"),
                "is deactivated");
        assertThatThrownBy(() -> registry.airlock.console.signIn(
                        "leaver", "leaver-password", null, Actor.anonymous("127.0.0.1")))
                .hasMessageContaining("is deactivated");
        // every console session is opened in one place (password, security key, passkey, step-up): it refuses too
        assertThatThrownBy(
                        () -> registry.airlock.console.rotate(new Actor("leaver", "password", null, "127.0.0.1"), null))
                .hasMessageContaining("is deactivated");
        assertThat(registry.http
                        .put(
                                "-/user/org.couchdb.user:leaver",
                                null,
                                "{\"name\":\"leaver\",\"password\":\"leaver-password\"}")
                        .status())
                .isEqualTo(401);
        // npm's web login (POST /-/v1/login as npm sends it): the page refuses the password with the same sentence
        var started = registry.http.post("-/v1/login", null, "{}");
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        String loginUrl = started.json().path("loginUrl").asText();
        String doneUrl = started.json().path("doneUrl").asText();
        assertThat(postForm(loginUrl, "username=leaver&password=leaver-password&otp="))
                .contains("is deactivated and can no longer sign in");
        assertThat(registry.http
                        .get(doneUrl.substring(registry.url().length()), null)
                        .status())
                .isEqualTo(202);

        // what they published stays installable for everyone else
        Npm reader = new Npm(tmp.resolve("reader-home"), registry.url());
        assertThat(ok(reader.run(tmp, "view", "leaver-lib", "version")).stdout().trim())
                .isEqualTo("1.0.0");

        // reactivation lets them sign in again; the old token stays revoked
        assertThat(cli("user", "reactivate", "leaver")).startsWith("exit=0").contains("Reactivated leaver");
        assertThat(actions("user:leaver")).contains("user.reactivate");
        fails(leaver.run(tmp, "whoami"), "E401");
        String again = registry.login("leaver", "leaver-password");
        assertThat(registry.http.get("-/whoami", again).status()).isEqualTo(200);
        assertThat(registry.airlock.orgs.members(Actor.operator(), "shared")).containsOnlyKeys("stays");
    }

    static String postForm(String url, String form) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .header("Content-Type", "application/x-www-form-urlencoded")
                                    .POST(HttpRequest.BodyPublishers.ofString(form))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
