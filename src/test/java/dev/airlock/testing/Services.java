package dev.airlock.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.AirlockAssembly;
import dev.airlock.packages.NewVersion;
import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.platform.json.BodyTree;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import dev.airlock.staging.Stage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/**
 * The real services wired by {@link AirlockAssembly} on a temporary SQLite database (Flyway-migrated) and blob
 * folder, with a clock tests move: for fast rule tests that need no HTTP server, no Node and no browser.
 */
public final class Services implements AutoCloseable {
    public final Path dir;
    public final MutableClock clock = new MutableClock();
    public final AirlockAssembly airlock;

    private Services(Map<String, String> settings) {
        try {
            dir = Files.createTempDirectory("airlock-rules");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> all = new HashMap<>(settings);
        all.put("data.dir", dir.toString());
        airlock = new AirlockAssembly(ConfigLoader.load(null, Map.of(), all), clock);
    }

    /** Default configuration. */
    public static Services start() {
        return new Services(Map.of());
    }

    /** With configuration overrides ("auth.maxPasswordFailures" → "3" …). */
    public static Services start(Map<String, String> settings) {
        return new Services(settings);
    }

    /** Creates a user (by the operator) and returns that user's login-session actor. */
    public Actor user(String name) {
        airlock.users.add(Actor.operator(), name, name + "@example.com", name + "-password-long", false);
        return session(name);
    }

    /** A login-session actor (what npm login's token resolves to). */
    public static Actor session(String name) {
        return new Actor(name, "session", "key-" + name, "127.0.0.1");
    }

    /** Enables TOTP two-factor for the user in {@code mode} through the real enrol / confirm flow. */
    public Authenticator enableTotp(String user, String mode) {
        Actor actor = session(user);
        String url = airlock.twoFactor.totp().enrol(actor, mode).orElseThrow();
        String secret = url.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1");
        Authenticator app = new Authenticator(secret, clock);
        airlock.twoFactor.totp().confirm(actor, app.next());
        return app;
    }

    /** npm publish of name@version (a real tarball and publish body) through the publish use case. */
    public NewVersion publish(Actor actor, String name, String version) {
        return airlock.publish.publish(actor, PackageName.parse(name), body(name, version));
    }

    /** npm stage publish of name@version through the staging use case. */
    public Stage stage(Actor actor, String name, String version) {
        return airlock.staging.stage(actor, PackageName.parse(name), body(name, version));
    }

    /** The publish body npm sends, read as the HTTP layer reads it (attachments decoded). */
    public static JsonNode body(String name, String version) {
        try {
            return BodyTree.read(new ByteArrayInputStream(
                    Json.write(Tarballs.publishBody(name, version)).getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code call}, which must fail with exactly this code and message. */
    public static AirlockException fails(ErrorCode code, String message, Executable call) {
        AirlockException e = assertThrows(AirlockException.class, call);
        assertEquals(message, e.getMessage());
        assertEquals(code, e.code());
        return e;
    }

    @Override
    public void close() {
        airlock.close();
        Files2.deleteTree(dir);
    }
}
