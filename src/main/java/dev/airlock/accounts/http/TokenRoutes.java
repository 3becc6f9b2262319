package dev.airlock.accounts.http;

import dev.airlock.policy.Action;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Gate;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.accounts.UserService;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.shared.Actor;
import dev.airlock.orgs.OrgService;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.shared.TokenScope;
import java.util.Set;
import dev.airlock.tokens.IssuedToken;
import dev.airlock.tokens.Token;
import dev.airlock.tokens.TokenService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** npm token list | create | revoke (GET|POST /-/npm/v1/tokens, DELETE /-/npm/v1/tokens/token/KEY-OR-SECRET). */
final class TokenRoutes {
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");
    private static final long DAY = 86_400_000L;
    private final UserService users;
    private final TokenService tokens;
    private final Gate gate;

    TokenRoutes(UserService users, TokenService tokens, Gate gate) {
        this.users = users;
        this.tokens = tokens;
        this.gate = gate;
    }

    void register(RoutesConfig routes) {
        routes.get("/-/npm/v1/tokens", this::list);
        routes.post("/-/npm/v1/tokens", this::create);
        routes.delete("/-/npm/v1/tokens/token/{key}", ctx -> {
            Actor actor = Requests.user(ctx);
            gate.authorise(actor, Action.REVOKE_TOKEN, null);
            tokens.revoke(actor, ctx.pathParam("key"));
            ctx.status(204);
        });
    }

    private void list(Context ctx) {
        Actor actor = Requests.user(ctx);
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Token t : tokens.list(actor.user())) {
            objects.add(view(t));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("objects", objects);
        body.put("total", objects.size());
        // npm token list follows urls.next and crashes if urls is not an object.
        Map<String, Object> urls = new LinkedHashMap<>();
        urls.put("next", null);
        body.put("urls", urls);
        Responses.json(ctx, body);
    }

    static Map<String, Object> view(Token t) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("key", t.key());
        o.put("token", t.display());
        o.put("name", t.name());
        o.put("description", t.description());
        o.put("type", t.kind());
        o.put("created", Instant.ofEpochMilli(t.createdAt()).toString());
        o.put("updated", Instant.ofEpochMilli(t.updatedAt()).toString());
        o.put("expires", t.expiresAt() == null ? null : Instant.ofEpochMilli(t.expiresAt()).toString());
        o.put("readonly", t.readonly());
        o.put("cidr_whitelist", t.cidr());
        o.put("last_used", t.lastUsedAt() == null ? null : Instant.ofEpochMilli(t.lastUsedAt()).toString());
        o.put("last_used_from", t.lastUsedFrom());
        o.put("bypass_2fa", t.bypass2fa());
        if (t.scope() != null) {
            o.put("packages", t.scope().packages().stream().sorted().toList());
            o.put("packages_all", t.scope().allPackages());
            o.put("scopes", t.scope().scopes().stream().sorted().toList());
            o.put("orgs", t.scope().orgs().stream().sorted().toList());
            o.put("packages_and_scopes_permission", t.scope().packagePermission());
            o.put("orgs_permission", t.scope().orgPermission());
        }
        return o;
    }

    private void create(Context ctx) {
        Actor actor = Requests.user(ctx);
        Decision decision = gate.decide(actor, Action.CREATE_TOKEN, null);
        Gate.refuse(decision);
        JsonNode body = Requests.jsonObject(ctx);
        String password = body.path("password").asText("");
        if (!users.checkPassword(actor.user(), password, actor.sourceAddress())) {
            throw new AirlockException(dev.airlock.shared.ErrorCode.LOGIN_FAILED, "Incorrect password. Creating a token requires your current password.");
        }
        if (body.path("readonly").asBoolean(false)) {
            throw AirlockException.badRequest("Use --packages-and-scopes-permission=read-only to create a read-only token.");
        }
        List<String> cidr = new ArrayList<>();
        for (JsonNode c : body.path("cidr_whitelist")) {
            if (!c.isTextual() || !validCidr(c.asText())) {
                throw AirlockException.badRequest("Invalid CIDR range \"" + c.asText() + "\"; use IPv4 a.b.c.d/n.");
            }
            cidr.add(c.asText());
        }
        Long expires = null;
        JsonNode exp = body.get("expires");
        if (exp != null && !exp.isNull()) {
            if (!exp.canConvertToInt() || exp.asInt() < 1 || exp.asInt() > 365) {
                throw AirlockException.badRequest("expires must be a number of days from 1 to 365.");
            }
            expires = System.currentTimeMillis() + exp.asInt() * DAY;
        }
        TokenScope scope = scope(body);
        gate.enforce(actor, decision);
        String name = body.path("name").isTextual() ? body.get("name").asText() : null;
        String description = body.path("description").isTextual() ? body.get("description").asText() : null;
        if (name != null && name.length() > 200 || description != null && description.length() > 1000) {
            throw AirlockException.badRequest("The token name or description is too long.");
        }
        IssuedToken issued = tokens.issue(actor, actor.user(), name, description, cidr, expires, scope);
        Map<String, Object> out = view(issued.token());
        out.put("token", issued.secret());
        Responses.json(ctx, out);
    }

    /** The granular fields npm token create sends; none of them means a token with all of the owner's rights. */
    static TokenScope scope(JsonNode body) {
        List<String> packages = strings(body, "packages");
        for (String p : packages) {
            PackageName.parse(p);
        }
        List<String> scopes = strings(body, "scopes");
        for (String sc : scopes) {
            OrgService.validName(sc, "scope");
        }
        List<String> orgs = strings(body, "orgs");
        for (String o : orgs) {
            OrgService.validName(o, "org");
        }
        boolean all = body.path("packages_all").asBoolean(false);
        boolean bypass = body.path("bypass_2fa").asBoolean(false);
        String pkgPermission = body.path("packages_and_scopes_permission").asText(null);
        String orgPermission = body.path("orgs_permission").asText(null);
        boolean restricted = all || bypass || !packages.isEmpty() || !scopes.isEmpty() || !orgs.isEmpty()
                || pkgPermission != null || orgPermission != null;
        if (!restricted) {
            return null;
        }
        if (bypass && !all && packages.isEmpty() && scopes.isEmpty() && pkgPermission == null) {
            // a bare --bypass-2fa token is meant for publishing pipelines: all packages, read-write
            all = true;
            pkgPermission = TokenScope.READ_WRITE;
        }
        return TokenScope.builder().packages(Set.copyOf(packages)).allPackages(all).scopes(Set.copyOf(scopes))
                .orgs(Set.copyOf(orgs)).packagePermission(pkgPermission).orgPermission(orgPermission).bypass2fa(bypass).build();
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode node = body.get(field);
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw AirlockException.badRequest(field + " must be a list.");
        }
        for (JsonNode n : node) {
            if (!n.isTextual() || n.asText().isEmpty()) {
                throw AirlockException.badRequest(field + " must be a list of names.");
            }
            out.add(n.asText());
        }
        if (out.size() > 100) {
            throw AirlockException.badRequest(field + " may name at most 100 entries.");
        }
        return out;
    }

    static void requireInteractive(Actor actor, String what) {
        if (!actor.interactive()) {
            throw AirlockException.forbidden("Tokens cannot " + what + "; use your login session (npm login).");
        }
    }

    static boolean validCidr(String s) {
        var m = CIDR.matcher(s);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return Integer.parseInt(m.group(5)) <= 32;
    }
}
