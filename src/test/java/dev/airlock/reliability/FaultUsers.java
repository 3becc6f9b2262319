package dev.airlock.reliability;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Http;
import dev.airlock.testing.RealTimeCodes;
import dev.airlock.testing.Tarballs;

/** Accounts for the fault scenarios, made through the npm endpoints as the CLI makes them. */
final class FaultUsers {
    private FaultUsers() {}

    /** A user with a login-session token; approvers also carry their authenticator app. */
    record User(String name, String password, String token, RealTimeCodes codes) {}

    /** {@code npm adduser} (signup is enabled for the scenario's server). */
    static User signUp(Http http, String name) {
        String password = "pw-" + name + "-fault-scenario";
        Http.Response r = http.put("-/user/org.couchdb.user:" + name, null, SoakOps.couch(name, password));
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
        RealTimeCodes codes =
                new RealTimeCodes(start.json().path("tfa").asText().replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"));
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

    static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
