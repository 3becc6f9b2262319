package dev.airlock.reliability;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Tarballs;
import java.util.List;
import java.util.Map;

/** Accounts for the fault scenarios, made through the npm endpoints as the CLI makes them. */
final class FaultUsers {
    private FaultUsers() {}

    /** A user with a login-session token; approvers also carry their authenticator app. */
    record User(String name, String password, String token, Codes codes) {}

    /** {@code npm adduser} (signup is enabled for the scenario's server). */
    static User signUp(Http http, String name) {
        String password = "pw-" + name + "-fault-scenario";
        Http.Response r = http.put(
                "-/user/org.couchdb.user:" + name,
                null,
                Json.write(Map.of(
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
                        List.of())));
        require(r.status() == 201, "signup " + name + ": " + r.status() + " " + r.body());
        return new User(name, password, r.json().path("token").asText(), null);
    }

    /** {@code npm profile enable-2fa auth-and-writes}, confirmed with the first code. */
    static User enableTotp(Http http, User u) {
        Http.Response start = http.post(
                "-/npm/v1/user",
                u.token(),
                "{\"tfa\":{\"password\":" + Json.write(u.password()) + ",\"mode\":\"auth-and-writes\"}}");
        require(start.status() == 200, "enable 2fa: " + start.body());
        Codes codes = new Codes(start.json().path("tfa").asText().replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"));
        Http.Response confirm = http.post("-/npm/v1/user", u.token(), "{\"tfa\":[\"" + codes.tryNext() + "\"]}");
        require(confirm.status() == 200, "confirm 2fa: " + confirm.body());
        return new User(u.name(), u.password(), u.token(), codes);
    }

    /** A publish body for {@code name@version} whose tarball carries {@code noise} bytes of random content. */
    static Sent body(String name, String version, int noise) {
        ObjectNode m = Tarballs.manifest(name, version);
        byte[] junk = new byte[noise];
        new java.util.Random(name.hashCode() * 31L + version.hashCode()).nextBytes(junk);
        byte[] tgz = Tarballs.tgz(
                Tarballs.Entry.file("package/package.json", Json.write(m)),
                new Tarballs.Entry(
                        "package/noise.bin",
                        junk,
                        org.apache.commons.compress.archivers.tar.TarConstants.LF_NORMAL,
                        null));
        return new Sent(name, version, tgz, Json.write(Tarballs.publishBody(m, tgz, "latest")));
    }

    /** What a client sent: the version, its tarball and the request body. */
    record Sent(String name, String version, byte[] tgz, String json) {}

    /**
     * An authenticator app on the real clock. The server accepts the codes of the steps now-1, now and now+1, each once
     * and in increasing order; {@link #tryNext} hands out the next acceptable one, or null when the window is used up.
     */
    static final class Codes {
        private static final long STEP = 30_000;
        private final Authenticator app;
        private long last = -1;

        Codes(String base32) {
            this.app = new Authenticator(base32, new MutableClock());
        }

        synchronized String tryNext() {
            long t = System.currentTimeMillis();
            long now = t / STEP;
            long k = Math.max(last + 1, now - 1);
            if (k == now - 1 && (k + 2) * STEP - t < 8_000) {
                k = now; // now-1 is about to leave the window
            }
            if (k > now + 1) {
                return null;
            }
            last = k;
            return app.code(k);
        }
    }

    static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
