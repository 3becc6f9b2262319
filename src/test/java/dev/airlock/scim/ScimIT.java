package dev.airlock.scim;

import static dev.airlock.testing.Expect.fails;
import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.orgs.OrgRole;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCIM 2.0 on a real server, driven with request bodies shaped as RFC 7644's examples and Okta's and Entra ID's
 * documented calls (src/test/resources/scim, origins in its README): the client token from the command line, users
 * created without a usable password, groups whose members get org roles through the group mapping, deprovisioning
 * with Okta's and Entra's PATCH (the real npm CLI then finds the old token refused), errors in SCIM's error schema.
 */
class ScimIT {
    static TestRegistry registry;
    static String token;
    static final Map<String, String> ids = new HashMap<>();
    static final HttpClient client = HttpClient.newHttpClient();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        Map<String, String> s = new HashMap<>();
        s.put("auth.groups.1.group", "Test SCIMv2");
        s.put("auth.groups.1.org", "acme");
        s.put("auth.groups.1.role", "developer");
        registry = TestRegistry.start(s);
        registry.addUser("founder", "founder-password");
        registry.createOrg("acme", "founder");
        String out = cli("scim", "token", "create", "--description", "Okta test");
        assertThat(out).startsWith("exit=0");
        token = out.lines().skip(1).findFirst().orElseThrow().trim();
        assertThat(token).startsWith("airlock_scim_");
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

    record Res(int status, JsonNode json, HttpResponse<String> raw) {}

    static Res call(String method, String path, String bearer, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry.url() + "scim/v2/" + path))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body))
                    .header("Accept", "application/scim+json");
            if (body != null) {
                b.header("Content-Type", "application/scim+json; charset=utf-8");
            }
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Res(r.statusCode(), r.body().isEmpty() ? null : Json.parse(r.body()), r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Res call(String method, String path, String body) {
        return call(method, path, token, body);
    }

    /** A fixture with its {{name}} placeholders replaced by the ids the server gave. */
    static String fixture(String name) {
        try (InputStream in = ScimIT.class.getResourceAsStream("/scim/" + name)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (Map.Entry<String, String> e : ids.entrySet()) {
                text = text.replace("{{" + e.getKey() + "}}", e.getValue());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertError(Res r, int status, String scimType) {
        assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
        assertThat(r.raw().headers().firstValue("Content-Type").orElse("")).startsWith("application/scim+json");
        assertThat(r.json().path("schemas").get(0).asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
        assertThat(r.json().path("status").asText()).isEqualTo(String.valueOf(status));
        assertThat(r.json().path("detail").asText()).isNotBlank();
        if (scimType != null) {
            assertThat(r.json().path("scimType").asText()).isEqualTo(scimType);
        }
    }

    static String filter(String expression) {
        return URLEncoder.encode(expression, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static Map<String, OrgRole> acme() {
        return registry.airlock.orgs.members(Actor.operator(), "acme");
    }

    @Test
    void theWholeLifecycleAsTheIdentityProvidersDriveIt() {
        // no token, a wrong one: 401 in SCIM's error schema
        assertError(call("GET", "Users", null, null), 401, null);
        assertError(call("GET", "Users", "airlock_scim_wrong", null), 401, null);
        assertThat(cli("scim", "token", "list")).contains("Okta test").doesNotContain(token);

        // discovery
        Res config = call("GET", "ServiceProviderConfig", null);
        assertThat(config.status()).isEqualTo(200);
        assertThat(config.json().path("patch").path("supported").asBoolean()).isTrue();
        assertThat(config.json()
                        .path("authenticationSchemes")
                        .get(0)
                        .path("type")
                        .asText())
                .isEqualTo("oauthbearertoken");
        assertThat(call("GET", "ResourceTypes", null).json().path("Resources").findValuesAsText("endpoint"))
                .containsExactly("/Users", "/Groups");
        assertThat(call("GET", "Schemas", null).json().path("Resources").findValuesAsText("id"))
                .contains("urn:ietf:params:scim:schemas:core:2.0:User");

        // RFC 7644 3.3: create, then the same userName again is a uniqueness conflict
        Res created = call("POST", "Users", fixture("rfc7644-create-user.json"));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        String bjensen = created.json().path("id").asText();
        ids.put("bjensen", bjensen);
        assertThat(created.json().path("userName").asText()).isEqualTo("bjensen");
        assertThat(created.json().path("active").asBoolean()).isTrue();
        assertThat(created.json().path("meta").path("resourceType").asText()).isEqualTo("User");
        assertThat(created.json().path("meta").path("location").asText())
                .isEqualTo(registry.airlock.config.server().base() + "/scim/v2/Users/" + bjensen);
        assertThat(created.raw().headers().firstValue("Location"))
                .contains(created.json().path("meta").path("location").asText());
        assertThat(created.raw().headers().firstValue("ETag")).contains("W/\"1\"");
        assertThat(created.raw().headers().firstValue("Content-Type").orElse(""))
                .startsWith("application/scim+json");
        assertError(call("POST", "Users", fixture("rfc7644-create-user.json")), 409, "uniqueness");
        assertError(call("GET", "Users/no-such-id", null), 404, null);
        assertError(call("POST", "Users", "{\"userName\":\"Not A Name!\"}"), 400, "invalidValue");

        // Okta: its user name is an e-mail address; the account is its local part, with no usable password
        Res okta = call("POST", "Users", fixture("okta-create-user.json"));
        assertThat(okta.status()).as(okta.raw().body()).isEqualTo(201);
        ids.put("okta", okta.json().path("id").asText());
        assertThat(okta.json().path("userName").asText()).isEqualTo("test.user@okta.local");
        assertThat(registry.airlock.users.find("test.user").email()).isEqualTo("test.user@okta.local");
        assertThat(registry.http
                        .put(
                                "-/user/org.couchdb.user:test.user",
                                null,
                                "{\"name\":\"test.user\",\"password\":\"1mz050nq\"}")
                        .status())
                .isEqualTo(401);
        // Okta's first call for an assignment: the filter, then paging
        Res found = call(
                "GET",
                "Users?filter=" + filter("userName eq \"Test.User@okta.local\"") + "&startIndex=1&count=100",
                null);
        assertThat(found.json().path("totalResults").asInt()).isEqualTo(1);
        assertThat(found.json().path("Resources").get(0).path("id").asText()).isEqualTo(ids.get("okta"));
        assertThat(call("GET", "Users?filter=" + filter("userName eq \"nobody@okta.local\""), null)
                        .json()
                        .path("totalResults")
                        .asInt())
                .isZero();
        assertError(call("GET", "Users?filter=" + filter("name.givenName sw \"T\""), null), 400, "invalidFilter");
        Res page = call("GET", "Users?startIndex=2&count=1", null);
        assertThat(page.json().path("totalResults").asInt()).isEqualTo(2);
        assertThat(page.json().path("startIndex").asInt()).isEqualTo(2);
        assertThat(page.json().path("itemsPerPage").asInt()).isEqualTo(1);
        assertThat(page.json().path("Resources").get(0).path("id").asText()).isEqualTo(ids.get("okta"));

        // groups: membership drives the group mapping (Test SCIMv2 → developer of acme)
        Res group = call("POST", "Groups", fixture("okta-create-group.json"));
        assertThat(group.status()).as(group.raw().body()).isEqualTo(201);
        String gid = group.json().path("id").asText();
        assertThat(group.json().path("meta").path("resourceType").asText()).isEqualTo("Group");
        assertError(call("POST", "Groups", fixture("okta-create-group.json")), 409, "uniqueness");
        Res added = call("PATCH", "Groups/" + gid, fixture("rfc7644-patch-group-add-member.json"));
        assertThat(added.status()).as(added.raw().body()).isEqualTo(200);
        assertThat(acme()).containsEntry("bjensen", OrgRole.DEVELOPER);
        Res swapped = call("PATCH", "Groups/" + gid, fixture("okta-patch-group-members.json"));
        assertThat(swapped.status()).as(swapped.raw().body()).isEqualTo(200);
        assertThat(acme()).doesNotContainKey("bjensen").containsEntry("test.user", OrgRole.DEVELOPER);
        assertThat(call("GET", "Groups?filter=" + filter("displayName eq \"Test SCIMv2\""), null)
                        .json()
                        .path("Resources")
                        .get(0)
                        .path("members")
                        .findValuesAsText("value"))
                .containsExactly(ids.get("okta"));
        assertThat(registry.airlock.audit.forTarget("org:acme").stream()
                        .filter(e -> "scim".equals(e.detail().get("source")))
                        .map(e -> e.action())
                        .toList())
                .containsExactlyInAnyOrder("org.member.set", "org.member.remove", "org.member.set");

        // Entra ID: create, add to the group, remove with its value-list form
        Res entra = call("POST", "Users", fixture("entra-create-user.json"));
        assertThat(entra.status()).as(entra.raw().body()).isEqualTo(201);
        ids.put("entra", entra.json().path("id").asText());
        assertThat(call("PATCH", "Groups/" + gid, fixture("entra-patch-group-add-member.json"))
                        .status())
                .isEqualTo(200);
        assertThat(acme()).containsKey("test_user_ab6490ee-1e48-479e-a20b-2d77186b5dd1");
        assertThat(call("PATCH", "Groups/" + gid, fixture("entra-patch-group-remove-member.json"))
                        .status())
                .isEqualTo(200);
        assertThat(acme()).doesNotContainKey("test_user_ab6490ee-1e48-479e-a20b-2d77186b5dd1");
        assertError(call("GET", "Groups/no-such-id", null), 404, null);
    }

    @Test
    void deprovisioningFromOktaAndEntraTakesEveryWayInAtOnce() {
        // an account made by hand, with an npm token: the identity provider finds it by userName and takes it over
        String npmToken = registry.userWithToken("carol");
        registry.airlock.orgs.setMember(Actor.operator(), "acme", "carol", OrgRole.ADMIN);
        Npm carol = Npm.withToken(tmp.resolve("carol-home"), registry.url(), npmToken);
        assertThat(ok(carol.run(tmp, "whoami")).stdout().trim()).isEqualTo("carol");
        Res found = call("GET", "Users?filter=" + filter("userName eq \"carol\""), null);
        assertThat(found.json().path("totalResults").asInt()).isEqualTo(1);
        String id = found.json().path("Resources").get(0).path("id").asText();

        // Okta deprovisions with PATCH replace {active:false}
        Res off = call("PATCH", "Users/" + id, fixture("okta-deactivate-user.json"));
        assertThat(off.status()).as(off.raw().body()).isEqualTo(200);
        assertThat(off.json().path("active").asBoolean()).isFalse();
        assertThat(off.raw().headers().firstValue("ETag")).contains("W/\"2\"");
        Cli.Result whoami = fails(carol.run(tmp, "whoami"), "E401");
        assertThat(whoami.all()).contains("The account \"carol\" is deactivated");
        assertThat(acme()).doesNotContainKey("carol");
        assertThat(registry.airlock.audit.forTarget("user:carol").stream().map(e -> e.action()))
                .contains("user.deactivate");
        fails(
                new Npm(tmp.resolve("carol-again"), registry.url())
                        .run(
                                tmp,
                                Cli.answers("Username:", "carol", "Password:", "carol-password"),
                                "login",
                                "--auth-type=legacy"),
                "is deactivated");

        // active:true lets them in again (the old token stays revoked)
        Res on = call(
                "PATCH",
                "Users/" + id,
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                        + "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":true}]}");
        assertThat(on.json().path("active").asBoolean()).isTrue();
        assertThat(registry.http
                        .get("-/whoami", registry.login("carol", "carol-password"))
                        .status())
                .isEqualTo(200);
        fails(carol.run(tmp, "whoami"), "E401");

        // Entra ID disables with {"op":"Replace","path":"active","value":"False"}
        Res entraOff = call("PATCH", "Users/" + id, fixture("entra-disable-user.json"));
        assertThat(entraOff.status()).as(entraOff.raw().body()).isEqualTo(200);
        assertThat(call("GET", "Users/" + id, null).json().path("active").asBoolean())
                .isFalse();
        assertThat(registry.airlock.users.isDeactivated("carol")).isTrue();

        // DELETE: no longer a SCIM resource; the account stays deactivated and keeps its name
        assertThat(call("DELETE", "Users/" + id, null).status()).isEqualTo(204);
        assertError(call("GET", "Users/" + id, null), 404, null);
        assertThat(registry.airlock.users.isDeactivated("carol")).isTrue();

        // a revoked client token is refused
        String listed = cli("scim", "token", "list");
        String tokenId = listed.lines().skip(1).findFirst().orElseThrow().split("\t")[0];
        Res before = call("GET", "ServiceProviderConfig", null);
        assertThat(before.status()).isEqualTo(200);
        String other = cli("scim", "token", "create")
                .lines()
                .skip(1)
                .findFirst()
                .orElseThrow()
                .trim();
        assertThat(cli("scim", "token", "revoke", tokenId)).startsWith("exit=0");
        assertError(call("GET", "Users", token, null), 401, null);
        assertThat(call("GET", "Users", other, null).status()).isEqualTo(200);
        token = other;
    }
}
