package dev.airlock.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Tarballs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's operations, each as the real client sends it, each checking that the answer is the expected one:
 * installs (abbreviated packument with gzip, then the tarball, byte-compared), publishes, stages (the version must
 * stay invisible), approvals with a TOTP code (the version must then be visible), couch and web logins (each followed
 * by a logout), token use (whoami, token list) and console pages with a session (and console sign-in/sign-out).
 */
final class SoakOps {
    private static final String CORGI = "application/vnd.npm.install-v1+json";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    /** A registry user: name, password, login-session token, console cookie, TOTP codes (approvers only). */
    record User(String name, String password, String token, String cookie, dev.airlock.testing.RealTimeCodes codes) {}

    /** A published version installs can fetch, with the SHA-1 of the tarball that was sent. */
    record Published(String name, String version, String sha1) {}

    record Staged(String id, User by, Published version) {}

    private final SoakHttp http;
    private final SoakFigures figures;
    private final String tag;
    /** The console's origin: the public URL with a loopback IP written as localhost (GETs elsewhere redirect there). */
    private final String console;

    private final List<User> publishers = new ArrayList<>();
    private final List<User> readers = new ArrayList<>();
    private final List<User> approvers = new ArrayList<>();
    private final List<Published> published = new ArrayList<>();
    private final ConcurrentLinkedQueue<Staged> staged = new ConcurrentLinkedQueue<>();
    private final AtomicInteger versions = new AtomicInteger();
    private final AtomicInteger turn = new AtomicInteger();
    final AtomicInteger approvalsDeferred = new AtomicInteger();

    SoakOps(SoakHttp http, SoakFigures figures) {
        this.http = http;
        this.figures = figures;
        this.console = http.base().replace("://127.0.0.1", "://localhost").replace("://[::1]", "://localhost");
        this.tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    }

    /** Signs up the users (approvers enrol TOTP after publishing the first version of their package). */
    void setUp(int publisherCount, int readerCount, int approverCount) {
        for (int i = 0; i < publisherCount; i++) {
            User u = signUp("soak-pub" + i);
            publishers.add(u);
            publish(u, "soak-" + tag + "-p" + i, "1.0.0", "setup");
        }
        for (int i = 0; i < readerCount; i++) {
            User u = signUp("soak-read" + i);
            readers.add(new User(u.name(), u.password(), u.token(), consoleSignIn(u), null));
        }
        for (int i = 0; i < approverCount; i++) {
            User u = signUp("soak-appr" + i);
            publish(u, pkgOf(u), "1.0.0", "setup");
            approvers.add(enableTotp(u));
        }
    }

    private User signUp(String base) {
        String name = base + "-" + tag;
        String password = "pw-" + name + "-" + ThreadLocalRandom.current().nextLong(1L << 40);
        SoakHttp.Answer a = http.send("PUT", "/-/user/org.couchdb.user:" + name, couch(name, password));
        expect(a.status() == 201, a.describe("signup " + name));
        return new User(name, password, a.json().path("token").asText(), null, null);
    }

    private User enableTotp(User u) {
        SoakHttp.Answer start = http.send(
                "POST",
                "/-/npm/v1/user",
                "{\"tfa\":{\"password\":" + Json.write(u.password()) + ",\"mode\":\"auth-and-writes\"}}",
                "Authorization",
                "Bearer " + u.token());
        expect(start.status() == 200, start.describe("enable 2fa " + u.name()));
        dev.airlock.testing.RealTimeCodes codes = new dev.airlock.testing.RealTimeCodes(
                start.json().path("tfa").asText().replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"));
        SoakHttp.Answer confirm = http.send(
                "POST",
                "/-/npm/v1/user",
                "{\"tfa\":[\"" + codes.tryNext() + "\"]}",
                "Authorization",
                "Bearer " + u.token());
        expect(confirm.status() == 200, confirm.describe("confirm 2fa " + u.name()));
        return new User(u.name(), u.password(), u.token(), null, codes);
    }

    private String pkgOf(User approver) {
        return "soak-" + tag + "-s-" + approver.name();
    }

    // ------------------------------------------------------------------------------------------------ operations

    /** npm install's requests for one version: the abbreviated packument (gzip), then the tarball. */
    void install() {
        Published p = randomPublished();
        long t = System.nanoTime();
        SoakHttp.Answer doc = http.send("GET", "/" + p.name(), null, "Accept", CORGI, "Accept-Encoding", "gzip");
        if (doc.status() != 200) {
            figures.error("packument", t, doc.describe("GET /" + p.name()));
            return;
        }
        figures.record("packument", t, true);
        t = System.nanoTime();
        String path = "/" + p.name() + "/-/" + p.name() + "-" + p.version() + ".tgz";
        SoakHttp.Answer tgz = http.send("GET", path, null, "Accept-Encoding", "gzip");
        if (tgz.status() != 200) {
            figures.error("tarball", t, tgz.describe("GET " + path));
        } else if (!Hashes.hex(Hashes.digest("SHA-1").digest(tgz.body())).equals(p.sha1())) {
            figures.error("tarball", t, "GET " + path + " -> bytes differ from the published tarball");
        } else {
            figures.record("tarball", t, true);
        }
    }

    void publish() {
        int i = turn.incrementAndGet() % publishers.size();
        long t = System.nanoTime();
        String version = "1.0." + versions.incrementAndGet();
        String err = publish(publishers.get(i), "soak-" + tag + "-p" + i, version, null);
        if (err == null) {
            figures.record("publish", t, true);
        } else {
            figures.error("publish", t, err);
        }
    }

    private String publish(User u, String name, String version, String setup) {
        ObjectNode m = Tarballs.manifest(name, version);
        byte[] tgz = Tarballs.packageTgz(m);
        SoakHttp.Answer a = http.send(
                "PUT", "/" + name, Json.write(Tarballs.publishBody(m, tgz, "latest")), "Authorization", bearer(u));
        if (a.status() != 200 && a.status() != 201) {
            expect(setup == null, a.describe("publish " + name + "@" + version));
            return a.describe("PUT /" + name + " " + version);
        }
        addPublished(
                new Published(name, version, Hashes.hex(Hashes.digest("SHA-1").digest(tgz))));
        return null;
    }

    /** npm stage publish: the version is staged, and invisible to an anonymous read. */
    void stage() {
        User u = approvers.get(turn.incrementAndGet() % approvers.size());
        String name = pkgOf(u);
        String version = "1.1." + versions.incrementAndGet();
        ObjectNode m = Tarballs.manifest(name, version);
        byte[] tgz = Tarballs.packageTgz(m);
        long t = System.nanoTime();
        SoakHttp.Answer a = http.send(
                "POST",
                "/-/stage/package/" + name,
                Json.write(Tarballs.publishBody(m, tgz, "latest")),
                "Authorization",
                bearer(u));
        if (a.status() != 201 || a.json().path("stageId").asText().isEmpty()) {
            figures.error("stage", t, a.describe("POST /-/stage/package/" + name));
            return;
        }
        SoakHttp.Answer doc = http.get("/" + name, null);
        if (doc.status() != 200 || doc.json().path("versions").has(version)) {
            figures.error("stage", t, "staged " + name + "@" + version + " is visible: " + doc.describe("GET"));
            return;
        }
        figures.record("stage", t, true);
        Published p =
                new Published(name, version, Hashes.hex(Hashes.digest("SHA-1").digest(tgz)));
        staged.add(new Staged(a.json().path("stageId").asText(), u, p));
    }

    /** npm stage approve with a fresh TOTP code of the approver; the version is then installable. */
    void approve() {
        int n = staged.size();
        for (int i = 0; i < n; i++) {
            Staged s = staged.poll();
            if (s == null) {
                break;
            }
            String code = s.by().codes().tryNext();
            if (code == null) {
                staged.add(s); // this approver used up the codes of the window: another one may have one
                continue;
            }
            long t = System.nanoTime();
            SoakHttp.Answer a = http.send(
                    "POST", "/-/stage/" + s.id() + "/approve", null, "Authorization", bearer(s.by()), "npm-otp", code);
            if (a.status() != 200) {
                figures.error("approve", t, a.describe("POST /-/stage/" + s.id() + "/approve"));
                return;
            }
            SoakHttp.Answer doc = http.send("GET", "/" + s.version().name(), null, "Accept", CORGI);
            if (doc.status() != 200
                    || !doc.json().path("versions").has(s.version().version())) {
                figures.error("approve", t, "approved " + s.version() + " is not visible: " + doc.describe("GET"));
                return;
            }
            figures.record("approve", t, true);
            addPublished(s.version());
            return;
        }
        approvalsDeferred.incrementAndGet();
    }

    /** npm login (legacy couch flow), whoami with the new token, npm logout. */
    void couchLogin() {
        User u = randomReader();
        long t = System.nanoTime();
        SoakHttp.Answer a = http.send("PUT", "/-/user/org.couchdb.user:" + u.name(), couch(u.name(), u.password()));
        if (a.status() != 201) {
            figures.error("login-couch", t, a.describe("PUT /-/user/org.couchdb.user:" + u.name()));
            return;
        }
        String err = useAndRevoke(u, a.json().path("token").asText());
        if (err == null) {
            figures.record("login-couch", t, true);
        } else {
            figures.error("login-couch", t, err);
        }
    }

    /** npm login (web flow): start, the browser's sign-in form, the CLI's poll, whoami, logout. */
    void webLogin() {
        User u = randomReader();
        long t = System.nanoTime();
        SoakHttp.Answer start = http.send("POST", "/-/v1/login", "{}");
        if (start.status() != 200) {
            figures.error("login-web", t, start.describe("POST /-/v1/login"));
            return;
        }
        JsonNode urls = start.json();
        SoakHttp.Answer waiting = http.get(urls.path("doneUrl").asText(), null);
        SoakHttp.Answer form =
                http.form(urls.path("loginUrl").asText(), null, Map.of("username", u.name(), "password", u.password()));
        SoakHttp.Answer done = http.get(urls.path("doneUrl").asText(), null);
        if (waiting.status() != 202 || form.status() != 200 || done.status() != 200) {
            figures.error(
                    "login-web",
                    t,
                    waiting.describe("poll") + "; " + form.describe("sign-in form") + "; " + done.describe("poll"));
            return;
        }
        String err = useAndRevoke(u, done.json().path("token").asText());
        if (err == null) {
            figures.record("login-web", t, true);
        } else {
            figures.error("login-web", t, err);
        }
    }

    private String useAndRevoke(User u, String token) {
        SoakHttp.Answer who = http.get("/-/whoami", token);
        if (who.status() != 200 || !u.name().equals(who.json().path("username").asText())) {
            return who.describe("GET /-/whoami");
        }
        SoakHttp.Answer out = http.send("DELETE", "/-/user/token/" + token, null, "Authorization", "Bearer " + token);
        return out.status() / 100 == 2 ? null : out.describe("DELETE /-/user/token/…");
    }

    /** A session token in use: npm whoami and npm token list. */
    void tokenUse() {
        User u = randomReader();
        long t = System.nanoTime();
        SoakHttp.Answer who = http.get("/-/whoami", u.token());
        if (who.status() != 200 || !u.name().equals(who.json().path("username").asText())) {
            figures.error("whoami", t, who.describe("GET /-/whoami"));
        } else {
            figures.record("whoami", t, true);
        }
        t = System.nanoTime();
        SoakHttp.Answer list = http.get("/-/npm/v1/tokens", u.token());
        if (list.status() != 200 || !list.json().path("objects").isArray()) {
            figures.error("token-list", t, list.describe("GET /-/npm/v1/tokens"));
        } else {
            figures.record("token-list", t, true);
        }
    }

    /** A console page with a signed-in session: the staged releases, the account, the tokens, a package. */
    void consolePage() {
        User u = randomReader();
        String[] pages = {
            "/-/console/",
            "/-/console/account",
            "/-/console/tokens",
            "/-/console/package/" + randomPublished().name()
        };
        String page = pages[ThreadLocalRandom.current().nextInt(pages.length)];
        long t = System.nanoTime();
        SoakHttp.Answer a = http.send("GET", console + page, null, "Cookie", u.cookie());
        if (a.status() != 200 || !a.text().contains(u.name())) {
            figures.error("console", t, a.describe("GET " + page + " (signed in as " + u.name() + ")"));
        } else {
            figures.record("console", t, true);
        }
    }

    /** Console sign-in, the home page, sign-out (with the page's CSRF token). */
    void consoleLogin() {
        User u = randomReader();
        long t = System.nanoTime();
        String cookie;
        try {
            cookie = consoleSignIn(u);
        } catch (IllegalStateException e) {
            figures.error("console-login", t, e.getMessage());
            return;
        }
        SoakHttp.Answer home = http.send("GET", console + "/-/console/", null, "Cookie", cookie);
        Matcher m = CSRF.matcher(home.text());
        if (home.status() != 200 || !m.find()) {
            figures.error("console-login", t, home.describe("GET /-/console/ after sign-in"));
            return;
        }
        SoakHttp.Answer out = http.form("/-/console/logout", cookie, Map.of("csrf", m.group(1)));
        SoakHttp.Answer after = http.send("GET", console + "/-/console/", null, "Cookie", cookie);
        if (out.status() != 302 || after.status() != 302) {
            figures.error("console-login", t, out.describe("sign-out") + "; " + after.describe("home after sign-out"));
            return;
        }
        figures.record("console-login", t, true);
    }

    private String consoleSignIn(User u) {
        SoakHttp.Answer a = http.form(
                "/-/console/login",
                null,
                Map.of("username", u.name(), "password", u.password(), "next", "/-/console/"));
        String cookie = a.headers() == null
                ? null
                : a.headers().allValues("Set-Cookie").stream()
                        .filter(c -> c.startsWith("airlock-session=") || c.startsWith("__Host-airlock-session="))
                        .map(c -> c.substring(0, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
                        .findFirst()
                        .orElse(null);
        expect(a.status() == 302 && cookie != null, a.describe("console sign-in of " + u.name()));
        return cookie;
    }

    /** A published version for the real npm install to fetch. */
    Published randomPublished() {
        synchronized (published) {
            return published.get(ThreadLocalRandom.current().nextInt(published.size()));
        }
    }

    private void addPublished(Published p) {
        synchronized (published) {
            published.add(p);
        }
    }

    private User randomReader() {
        return readers.get(ThreadLocalRandom.current().nextInt(readers.size()));
    }

    int pendingStages() {
        return staged.size();
    }

    private static String bearer(User u) {
        return "Bearer " + u.token();
    }

    /** The body of {@code npm adduser} / {@code npm login} (CouchDB user document). */
    static String couch(String name, String password) {
        return Json.write(Map.of(
                "_id",
                "org.couchdb.user:" + name,
                "name",
                name,
                "password",
                password,
                "email",
                name + "@example.test",
                "type",
                "user",
                "roles",
                List.of()));
    }

    private static void expect(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("unexpected answer: " + what);
        }
    }
}
