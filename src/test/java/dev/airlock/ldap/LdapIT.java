package dev.airlock.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.Cli;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestOpenIdProvider.Agent;
import dev.airlock.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password sign-in against a real LDAP directory (UnboundID's in-memory server over LDAPS, started here): the real
 * npm CLI's legacy login, the console's password form and npm's web login form as directory users (accounts made
 * just in time, linked to the entry); wrong password and unknown user alike, throttled; filter injection; a local
 * account of the same name neither taken over nor shadowed; the directory down answers 503 with a sentence.
 */
class LdapIT {
    static final String SAME = "Incorrect username or password.";
    static TestDirectory directory;
    static TestRegistry registry;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        directory = new TestDirectory(Files.createDirectories(tmp.resolve("pki")));
        Map<String, String> settings = new HashMap<>(directory.settings());
        settings.put("auth.maxPasswordFailures", "3");
        registry = TestRegistry.start(settings);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (directory != null) {
            directory.close();
        }
    }

    static Http.Response couchLogin(TestRegistry r, String name, String password) {
        return r.http.put(
                "-/user/org.couchdb.user:" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8),
                null,
                "{\"name\":\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"password\":\"" + password
                        + "\"}");
    }

    @Test
    void npmLegacyLoginAsADirectoryUserMakesTheAccountJustInTime() {
        assertThat(registry.airlock.users.find("alice")).isNull();
        Npm npm = new Npm(tmp.resolve("alice-home"), registry.url());
        Cli.Result login = npm.run(
                tmp, Cli.answers("Username:", "alice", "Password:", "alice-ldap-pass"), "login", "--auth-type=legacy");
        assertThat(login.exit()).as(login.stdout() + login.stderr()).isZero();
        Cli.Result whoami = npm.run(tmp, "whoami");
        assertThat(whoami.exit()).as(whoami.stderr()).isZero();
        assertThat(whoami.stdout().trim()).isEqualTo("alice");
        assertThat(registry.airlock.users.find("alice").email()).isEqualTo("alice@corp.example");
        assertThat(registry.airlock.sso.linked("alice")).isTrue();
        // the account has no local password: only the directory's signs in, again and again (same linked account)
        assertThat(couchLogin(registry, "alice", "!").status()).isEqualTo(401);
        assertThat(couchLogin(registry, "alice", "alice-ldap-pass").status()).isEqualTo(201);
        assertThat(registry.airlock.users.list().stream()
                        .filter(u -> u.name().equals("alice"))
                        .count())
                .isEqualTo(1);
    }

    @Test
    void consolePasswordSignInAsADirectoryUser() {
        Agent agent = new Agent();
        HttpResponse<String> r = agent.post(
                registry.consoleUrl() + "-/console/login",
                Map.of("username", "carol", "password", "carol-ldap-pass", "next", "/-/console/"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        HttpResponse<String> home = agent.get(registry.consoleUrl() + "-/console/");
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.body()).contains("carol");
        assertThat(registry.airlock.sso.linked("carol")).isTrue();
    }

    @Test
    void npmWebLoginPasswordFormAsADirectoryUser() {
        Http.Response start = registry.http.post("-/v1/login", null, "{}");
        assertThat(start.status()).isEqualTo(200);
        String loginUrl = start.json().path("loginUrl").asText();
        String done =
                start.json().path("doneUrl").asText().substring(registry.url().length());
        String form = registry.consoleUrl() + loginUrl.substring(registry.url().length());
        HttpResponse<String> wrong =
                new Agent().post(form, Map.of("username", "dan", "password", "not-dans", "otp", ""));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains(SAME);
        HttpResponse<String> ok =
                new Agent().post(form, Map.of("username", "dan", "password", "dan-ldap-pass", "otp", ""));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        String token = registry.http.get(done, null).json().path("token").asText();
        assertThat(registry.http.get("-/whoami", token).json().path("username").asText())
                .isEqualTo("dan");
    }

    @Test
    void wrongPasswordAndUnknownUserSayTheSameAndAreThrottled() {
        Http.Response wrong = couchLogin(registry, "erin", "not-erins");
        Http.Response unknown = couchLogin(registry, "nobody-here", "whatever-pass");
        Http.Response empty = couchLogin(registry, "erin", "");
        assertThat(couchLogin(registry, "erin", "erin-ldap-pass ").status()).isEqualTo(401);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.error()).isEqualTo(SAME);
        assertThat(unknown.error()).isEqualTo(SAME);
        assertThat(empty.status()).isEqualTo(401);
        assertThat(registry.airlock.users.find("erin")).isNull();
        assertThat(registry.airlock.users.find("nobody-here")).isNull();
        // three wrong passwords from this address (auth.maxPasswordFailures): then even the right one is refused
        // before the directory is asked
        Http.Response throttled = couchLogin(registry, "erin", "erin-ldap-pass");
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(registry.airlock.users.find("erin")).isNull();
    }

    @Test
    void aUserNameCannotInjectIntoTheFilter() {
        for (String name : new String[] {"ali*", "*", "*)(uid=*", "bob)(|(uid=*"}) {
            Http.Response r = couchLogin(registry, name, "alice-ldap-pass");
            assertThat(r.status()).as(name).isEqualTo(401);
        }
        Agent agent = new Agent();
        HttpResponse<String> r = agent.post(
                registry.consoleUrl() + "-/console/login",
                Map.of("username", "ali*", "password", "alice-ldap-pass", "next", "/-/console/"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains(SAME);
        assertThat(registry.airlock.users.list().stream().map(u -> u.name())).noneMatch(n -> n.contains("*"));
    }

    @Test
    void aLocalAccountOfTheSameNameIsNotTakenOver() {
        registry.addUser("bob", "bob-local-pass");
        // a local account with a password is checked locally: the directory's password for "bob" does not sign in
        Http.Response viaDirectory = couchLogin(registry, "bob", "bob-ldap-pass");
        assertThat(viaDirectory.status()).isEqualTo(401);
        assertThat(viaDirectory.error()).isEqualTo(SAME);
        assertThat(registry.airlock.sso.linked("bob")).isFalse();
        assertThat(couchLogin(registry, "bob", "bob-local-pass").status()).isEqualTo(201);
    }

    @Test
    void anAccountWithoutAPasswordThatIsNotLinkedToTheEntryIsNotJoined() {
        // an account made from outside (as single sign-on makes them) whose name is a directory user's
        registry.airlock.db.write(tx ->
                registry.airlock.users.addExternal(tx, dev.airlock.shared.Actor.operator(), "frank", "", "oidc:corp"));
        Http.Response r = couchLogin(registry, "frank", "frank-ldap-pass");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.error())
                .contains("The account \"frank\" already exists")
                .contains("never joins accounts by name or e-mail");
        assertThat(registry.airlock.sso.linked("frank")).isFalse();
        // a name two entries answer to is refused, with the same sentence as a wrong password
        Http.Response twin = couchLogin(registry, "twin", "twin-ldap-pass");
        assertThat(twin.status()).isEqualTo(401);
        assertThat(twin.error()).isEqualTo(SAME);
    }

    @Test
    void theDirectoryDownAnswers503WithASentence() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        Map<String, String> settings = new HashMap<>(directory.settings());
        settings.put("auth.ldap.url", "ldaps://127.0.0.1:" + dead);
        settings.put("auth.ldap.timeoutSeconds", "2");
        try (TestRegistry down = TestRegistry.start(settings)) {
            Http.Response r = couchLogin(down, "alice", "alice-ldap-pass");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.error()).contains("directory (LDAP) cannot be reached");
            HttpResponse<String> console = new Agent()
                    .post(
                            down.consoleUrl() + "-/console/login",
                            Map.of("username", "alice", "password", "alice-ldap-pass", "next", "/-/console/"));
            assertThat(console.statusCode()).isEqualTo(503);
            assertThat(console.body()).contains("directory (LDAP) cannot be reached");
            // local accounts with a password still sign in
            down.addUser("local", "local-password");
            assertThat(couchLogin(down, "local", "local-password").status()).isEqualTo(201);
        }
    }
}
