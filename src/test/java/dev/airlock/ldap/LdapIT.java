package dev.airlock.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import dev.airlock.audit.AuditEvent;
import dev.airlock.orgs.OrgRole;
import dev.airlock.shared.Actor;
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
        // the group mapping, fed by the directory's groups at every sign-in
        settings.put("auth.groups.1.group", "eng");
        settings.put("auth.groups.1.org", "corp");
        settings.put("auth.groups.1.role", "developer");
        settings.put("auth.groups.2.group", "release");
        settings.put("auth.groups.2.org", "corp");
        settings.put("auth.groups.2.team", "release");
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

    static void changeGroup(String group, ModificationType change, String attribute, String member) throws Exception {
        directory.server.modify(
                "cn=" + group + ",ou=groups,dc=corp,dc=example", new Modification(change, attribute, member));
    }

    @Test
    void directoryGroupsBecomeOrgAndTeamMembershipsAtEverySignIn() throws Exception {
        registry.addUser("corp-owner", "corp-owner-password");
        registry.createOrg("corp", "corp-owner");
        registry.airlock.orgs.createTeam(Actor.operator(), "corp", "release", "release managers");
        String gina = "uid=gina,ou=people,dc=corp,dc=example";
        changeGroup("eng", ModificationType.ADD, "member", gina);
        changeGroup("release", ModificationType.ADD, "uniqueMember", gina);

        Npm npm = new Npm(tmp.resolve("gina-home"), registry.url());
        Cli.Result login = npm.run(
                tmp, Cli.answers("Username:", "gina", "Password:", "gina-ldap-pass"), "login", "--auth-type=legacy");
        assertThat(login.exit()).as(login.all()).isZero();
        assertThat(registry.airlock.orgs.members(Actor.operator(), "corp")).containsEntry("gina", OrgRole.DEVELOPER);
        assertThat(registry.airlock.orgs.teamMembers(Actor.operator(), "corp", "release"))
                .contains("gina");
        Cli.Result teams = npm.run(tmp, "team", "ls", "corp:release");
        assertThat(teams.stdout()).contains("gina");

        // the directory takes gina out of release, then out of eng: each next sign-in follows
        changeGroup("release", ModificationType.DELETE, "uniqueMember", gina);
        assertThat(couchLogin(registry, "gina", "gina-ldap-pass").status()).isEqualTo(201);
        assertThat(registry.airlock.orgs.teamMembers(Actor.operator(), "corp", "release"))
                .doesNotContain("gina");
        assertThat(registry.airlock.orgs.members(Actor.operator(), "corp")).containsEntry("gina", OrgRole.DEVELOPER);
        changeGroup("eng", ModificationType.DELETE, "member", gina);
        Agent console = new Agent();
        HttpResponse<String> signIn = console.post(
                registry.consoleUrl() + "-/console/login",
                Map.of("username", "gina", "password", "gina-ldap-pass", "next", "/-/console/"));
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(302);
        assertThat(registry.airlock.orgs.members(Actor.operator(), "corp")).doesNotContainKey("gina");

        // audited like npm org / npm team changes, naming the directory as the source
        var org = registry.airlock.audit.forTarget("org:corp").stream()
                .filter(e -> "gina".equals(String.valueOf(e.detail().get("user"))))
                .toList();
        assertThat(org.stream().map(AuditEvent::action)).containsExactly("org.member.set", "org.member.remove");
        assertThat(org.get(0).detail()).containsEntry("via", "group-sync").containsEntry("source", "ldap");
        assertThat(registry.airlock.audit.forTarget("team:corp:release").stream()
                        .filter(e -> "gina".equals(String.valueOf(e.detail().get("user"))))
                        .map(AuditEvent::action))
                .containsExactly("team.member.add", "team.member.remove");
    }

    @Test
    void httpBasicIsForLocalAccountsAndSaysWhatDirectoryUsersDoInstead() {
        Http.Response basic = registry.http.get(
                "-/whoami",
                null,
                "Authorization",
                "Basic "
                        + java.util.Base64.getEncoder()
                                .encodeToString("dan:dan-ldap-pass".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(basic.status()).isEqualTo(401);
        assertThat(basic.error())
                .contains("directory (LDAP) accounts cannot use HTTP Basic")
                .contains("npm login");
    }
}
