package dev.airlock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.AirlockAssembly;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.shared.Actor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real Airlock server on a random loopback port with its own temporary data directory. */
public final class TestRegistry implements AutoCloseable {
    public final Path dataDir;
    public final AirlockAssembly airlock;
    public final int port;
    public final Http http;
    public final MutableClock clock;

    private TestRegistry(Path dataDir, Map<String, String> settings, MutableClock clock) {
        this.clock = clock;
        this.dataDir = dataDir;
        int free = freePort();
        Map<String, String> flags = new HashMap<>(settings);
        flags.put("data.dir", dataDir.toString());
        if (!settings.containsKey("database.url")) {
            flags.putAll(TestDatabase.settingsFor(dataDir));
        }
        flags.put("server.port", String.valueOf(free));
        // tests evaluate the alert rules themselves (airlock.alerts.evaluate()) after moving the clock; the server's
        // own
        // evaluation would add alert events at a moment of its choosing to tests that count events
        flags.putIfAbsent("alerts.intervalSeconds", "86400");
        AirlockConfig config = ConfigLoader.load(null, Map.of(), flags);
        this.airlock = new AirlockAssembly(config, clock);
        this.port = airlock.serve();
        this.http = new Http(url());
    }

    public static TestRegistry start() {
        return start(Map.of());
    }

    /** Starts with extra configuration keys (e.g. "auth.anonymousRead" → "false"). */
    public static TestRegistry start(Map<String, String> settings) {
        return start(settings, new MutableClock());
    }

    /** Starts with extra configuration and a clock the test shares (e.g. with a test OIDC issuer). */
    public static TestRegistry start(Map<String, String> settings, MutableClock clock) {
        try {
            return new TestRegistry(Files.createTempDirectory("airlock-test"), settings, clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves a data directory that operator commands (`./airlock user add … --data DIR`) prepared; close() deletes it. */
    public static TestRegistry startOn(Path dataDir, MutableClock clock) {
        return new TestRegistry(dataDir, Map.of(), clock);
    }

    /** Serves a data directory kept from an earlier run, with these settings; close() deletes it. */
    public static TestRegistry startOn(Path dataDir, Map<String, String> settings, MutableClock clock) {
        return new TestRegistry(dataDir, settings, clock);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The registry URL with a trailing slash, as npm wants it. */
    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** Where browsers reach the console: localhost (security keys need a host name, not an IP address). */
    public String consoleUrl() {
        return "http://localhost:" + port + "/";
    }

    public void addUser(String name, String password) {
        airlock.users.add(Actor.operator(), name, name + "@example.com", password, false);
    }

    /** Creates a user and returns a fresh login token for them (couch login, as npm does). */
    public String userWithToken(String name) {
        String password = name + "-password";
        addUser(name, password);
        return login(name, password);
    }

    public String login(String name, String password) {
        Http.Response r = http.put(
                "-/user/org.couchdb.user:" + name,
                null,
                "{\"name\":\"" + name + "\",\"password\":\"" + password + "\"}");
        if (r.status() != 201) {
            throw new IllegalStateException("login failed: " + r.status() + " " + r.body());
        }
        JsonNode body = r.json();
        return body.get("token").asText();
    }

    /**
     * Enables TOTP 2FA for a logged-in user through the same HTTP calls npm profile enable-2fa makes, and returns
     * their authenticator.
     */
    public Authenticator enableTwoFactor(String user, String token, String mode) {
        Http.Response start = http.post(
                "-/npm/v1/user", token, "{\"tfa\":{\"password\":\"" + user + "-password\",\"mode\":\"" + mode + "\"}}");
        if (start.status() != 200) {
            throw new IllegalStateException("enable-2fa failed: " + start.status() + " " + start.body());
        }
        String url = start.json().path("tfa").asText();
        String secret = url.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1");
        Authenticator app = new Authenticator(secret, clock);
        Http.Response confirm = http.post("-/npm/v1/user", token, "{\"tfa\":[\"" + app.next() + "\"]}");
        if (confirm.status() != 200 || !confirm.json().path("tfa").isArray()) {
            throw new IllegalStateException("2FA confirmation failed: " + confirm.status() + " " + confirm.body());
        }
        return app;
    }

    /** A README that would run script if a page rendered it as HTML. */
    public static final String HOSTILE_README = """
            # gadget
            <script>document.title='pwned'</script>
            <img src=x onerror="document.title='pwned'">
            """;

    /**
     * Stages a version with {@code token}; a risky one adds a postinstall script and a git dependency, and its README
     * carries markup that would run script if rendered. Returns the stage id.
     */
    public String stage(String token, String pkg, String version, boolean risky) {
        com.fasterxml.jackson.databind.node.ObjectNode m = Tarballs.manifest(pkg, version);
        if (risky) {
            m.putObject("scripts").put("postinstall", "node steal.js");
            m.putObject("dependencies").put("helper", "github:mallory/helper");
        }
        byte[] tgz = risky
                ? Tarballs.tgz(
                        Tarballs.Entry.file("package/package.json", dev.airlock.platform.json.Json.write(m)),
                        Tarballs.Entry.file("package/index.js", "module.exports = 1;\n"),
                        Tarballs.Entry.file("package/README.md", HOSTILE_README))
                : Tarballs.packageTgz(m);
        Http.Response r = http.send(
                "POST",
                "-/stage/package/" + pkg,
                token,
                dev.airlock.platform.json.Json.write(Tarballs.publishBody(m, tgz, "latest")));
        if (r.status() != 201) {
            throw new IllegalStateException("stage failed: " + r.status() + " " + r.body());
        }
        return r.json().path("stageId").asText();
    }

    public void createOrg(String org, String owner) {
        airlock.orgs.createOrg(Actor.operator(), org, owner);
    }

    /**
     * Publishes a version straight through the publish use case as the maintainer bob (no HTTP, no staging): how
     * tests fill an upstream registry.
     */
    public void publishDirect(com.fasterxml.jackson.databind.node.ObjectNode manifest) {
        publishDirect(manifest, "latest");
    }

    /** The same, tagging the version {@code tag}. */
    public void publishDirect(com.fasterxml.jackson.databind.node.ObjectNode manifest, String tag) {
        var body = Tarballs.publishBody(manifest, Tarballs.packageTgz(manifest), tag);
        try {
            JsonNode read = dev.airlock.platform.json.BodyTree.read(new java.io.ByteArrayInputStream(
                    dev.airlock.platform.json.Json.write(body).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            airlock.publish.publish(
                    new Actor("bob", "session", "key-bob", "127.0.0.1"),
                    dev.airlock.shared.PackageName.parse(manifest.get("name").asText()),
                    read);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        airlock.close();
        TestDatabase.drop(dataDir);
        Files2.deleteTree(dataDir);
    }
}
