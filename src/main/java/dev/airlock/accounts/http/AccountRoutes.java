package dev.airlock.accounts.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.accounts.User;
import dev.airlock.accounts.UserService;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.tokens.IssuedToken;
import dev.airlock.tokens.TokenService;
import dev.airlock.twofactor.TwoFactorService;
import dev.airlock.twofactor.TwoFactorStatus;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Login, logout, whoami, ping and profile endpoints as the npm CLI calls them. */
public final class AccountRoutes implements RouteModule {
    private static final String COUCH_PREFIX = "org.couchdb.user:";
    private final UserService users;
    private final TokenService tokens;
    private final TwoFactorService twoFactor;

    private final dev.airlock.policy.Gate gate;

    public AccountRoutes(
            UserService users, TokenService tokens, TwoFactorService twoFactor, dev.airlock.policy.Gate gate) {
        this.gate = gate;
        this.users = users;
        this.tokens = tokens;
        this.twoFactor = twoFactor;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/-/ping", ctx -> Responses.json(ctx, Map.of()));
        routes.get(
                "/-/whoami",
                ctx -> Responses.json(ctx, Map.of("username", Requests.user(ctx).user())));
        // POST /-/v1/login (npm's web login) is served by the console, which owns the browser side of it.
        routes.put("/-/user/{id}", this::couchLogin);
        routes.put("/-/user/{id}/-rev/{rev}", this::couchLogin);
        routes.get("/-/user/{id}", this::userDocument);
        routes.delete("/-/user/token/{token}", this::logout);
        routes.get("/-/npm/v1/user", ctx -> {
            String user = Requests.user(ctx).user();
            Responses.json(
                    ctx,
                    profile(users.require(user), twoFactor.profileStatus(user).orElse(null)));
        });
        routes.post("/-/npm/v1/user", this::updateProfile);
        new TokenRoutes(users, tokens, gate).register(routes);
    }

    private static String couchName(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.startsWith(COUCH_PREFIX)) {
            throw AirlockException.notFound("Not found");
        }
        return id.substring(COUCH_PREFIX.length());
    }

    /** npm login / adduser (legacy): credentials come from the body, not from any token the CLI also sends. */
    private void couchLogin(Context ctx) {
        String name = couchName(ctx);
        JsonNode body = Requests.jsonObject(ctx);
        String bodyName = body.path("name").asText(null);
        if (bodyName != null && !bodyName.equals(name)) {
            throw AirlockException.badRequest("The user name in the URL and in the body differ.");
        }
        String password =
                body.path("password").isTextual() ? body.get("password").asText() : null;
        String email = body.path("email").isTextual() ? body.get("email").asText() : null;
        String otp = ctx.header("npm-otp");
        Actor anonymous = Requests.anonymous(ctx).withOtp(otp == null || otp.isBlank() ? null : otp.trim());
        IssuedToken issued = users.login(anonymous, name, password, email);
        Responses.json(
                ctx,
                201,
                new CouchLogin(
                        true, COUCH_PREFIX + name, "1-" + issued.token().key().substring(0, 16), issued.secret()));
    }

    /** The CouchDB-style answer to npm login (legacy) and adduser: npm saves {@code token}. */
    record CouchLogin(boolean ok, String id, String rev, String token) {}

    /** Used by npm owner add to look a user up: name and email. */
    private void userDocument(Context ctx) {
        Requests.user(ctx);
        User user = users.find(couchName(ctx));
        if (user == null) {
            throw AirlockException.notFound("User not found.");
        }
        Responses.json(ctx, Map.of("_id", COUCH_PREFIX + user.name(), "name", user.name(), "email", user.email()));
    }

    private void logout(Context ctx) {
        Actor actor = Requests.user(ctx);
        tokens.revoke(actor, ctx.pathParam("token"));
        Responses.json(ctx, Map.of("ok", true));
    }

    static Profile profile(User u, TwoFactorStatus tfa) {
        return new Profile(
                u.name(),
                u.email(),
                true,
                tfa == null ? false : new Tfa(tfa.mode(), tfa.pending()),
                Instant.ofEpochMilli(u.createdAt()).toString(),
                Instant.ofEpochMilli(u.updatedAt()).toString(),
                u.fullname(),
                u.homepage(),
                u.freenode(),
                u.twitter(),
                u.github(),
                null);
    }

    /**
     * The profile npm profile get prints. {@code tfa} is {@code false} without TOTP, else a {@link Tfa};
     * {@code cidr_whitelist} is always null (npm prints the key).
     */
    record Profile(
            String name,
            String email,
            @JsonProperty("email_verified") boolean emailVerified,
            Object tfa,
            String created,
            String updated,
            String fullname,
            String homepage,
            String freenode,
            String twitter,
            String github,
            @JsonProperty("cidr_whitelist") List<String> cidrWhitelist) {}

    /** A TOTP enrolment as npm profile get shows it. */
    record Tfa(String mode, boolean pending) {}

    /** npm profile set: the body repeats every writable key; only those are applied. */
    private void updateProfile(Context ctx) {
        Actor actor = Requests.user(ctx);
        TokenRoutes.requireInteractive(actor, "change the profile or two-factor settings");
        JsonNode body = Requests.jsonObject(ctx);
        if (body.has("tfa")) {
            twoFactor(ctx, actor, body.get("tfa"));
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String key : new String[] {"email", "fullname", "homepage", "freenode", "twitter", "github"}) {
            JsonNode v = body.get(key);
            if (v != null) {
                if (!v.isNull() && !v.isTextual()) {
                    throw AirlockException.badRequest("The field \"" + key + "\" must be a string.");
                }
                String value = v.isNull() || v.asText().isEmpty() ? null : v.asText();
                if (key.equals("email") && value == null) {
                    continue;
                }
                fields.put(key, value);
            }
        }
        JsonNode password = body.get("password");
        if (password != null && !password.isNull()) {
            if (!password.path("old").isTextual() || !password.path("new").isTextual()) {
                throw AirlockException.badRequest("A password change needs {\"old\": ..., \"new\": ...}.");
            }
            users.changePassword(
                    actor, password.get("old").asText(), password.get("new").asText());
        }
        if (!fields.isEmpty()) {
            gate.authorise(actor, dev.airlock.policy.Action.CHANGE_PROFILE, null);
        }
        User updated = users.updateProfile(actor, fields);
        Responses.json(
                ctx, profile(updated, twoFactor.profileStatus(actor.user()).orElse(null)));
    }

    /**
     * npm profile enable-2fa / disable-2fa: {"tfa":{"password","mode"}} starts (answer: an otpauth URL string), changes
     * the mode, or disables ("mode":"disable"); {"tfa":["123456"]} confirms (answer: the recovery codes, an array).
     */
    private void twoFactor(Context ctx, Actor actor, JsonNode tfa) {
        if (tfa.isArray()) {
            if (tfa.size() != 1 || !tfa.get(0).isTextual()) {
                throw AirlockException.badRequest(
                        "Send the first code from your authenticator as {\"tfa\": [\"123456\"]}.");
            }
            Responses.json(
                    ctx,
                    Map.of(
                            "tfa",
                            twoFactor.totp().confirm(actor, tfa.get(0).asText().trim())));
            return;
        }
        if (!tfa.isObject()) {
            throw AirlockException.badRequest("tfa must be an object or an array.");
        }
        users.requirePassword(actor, tfa.path("password").asText(""));
        String mode = Requests.text(tfa, "mode");
        if (mode.equals("disable")) {
            twoFactor.totp().disable(actor);
            Responses.json(ctx, Map.of("tfa", false));
            return;
        }
        var url = twoFactor.totp().enrol(actor, mode);
        if (url.isPresent()) {
            Responses.json(ctx, Map.of("tfa", url.get()));
        } else {
            Responses.json(
                    ctx,
                    profile(
                            users.require(actor.user()),
                            twoFactor.profileStatus(actor.user()).orElse(null)));
        }
    }
}
