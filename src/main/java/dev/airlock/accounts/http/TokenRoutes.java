package dev.airlock.accounts.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.accounts.UserService;
import dev.airlock.orgs.OrgService;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.policy.Action;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Gate;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.shared.TokenScope;
import dev.airlock.tokens.IssuedToken;
import dev.airlock.tokens.Token;
import dev.airlock.tokens.TokenService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
        Responses.json(
                ctx,
                TokenList.of(tokens.list(actor.user()).stream()
                        .map(TokenRoutes::view)
                        .toList()));
    }

    static TokenView view(Token t) {
        return TokenView.of(t, t.display());
    }

    /** npm token list's answer; npm follows {@code urls.next} and crashes if {@code urls} is not an object. */
    record TokenList(List<TokenView> objects, int total, Urls urls) {
        static TokenList of(List<TokenView> objects) {
            return new TokenList(objects, objects.size(), new Urls(null));
        }
    }

    /** The next page of a token list (always null: one page). */
    record Urls(String next) {}

    /**
     * One token as npm token list and create print it: {@code token} is the display prefix, or the secret once, on
     * creation. Absent times are null; the granular fields appear only for a restricted token.
     */
    record TokenView(
            String key,
            String token,
            String name,
            String description,
            String type,
            String created,
            String updated,
            String expires,
            boolean readonly,
            @JsonProperty("cidr_whitelist") List<String> cidrWhitelist,
            @JsonProperty("last_used") String lastUsed,
            @JsonProperty("last_used_from") String lastUsedFrom,
            @JsonProperty("bypass_2fa") boolean bypass2fa,
            @JsonUnwrapped Granular granular) {
        static TokenView of(Token t, String shown) {
            return new TokenView(
                    t.key(),
                    shown,
                    t.name(),
                    t.description(),
                    t.kind(),
                    time(t.createdAt()),
                    time(t.updatedAt()),
                    time(t.expiresAt()),
                    t.readonly(),
                    t.cidr(),
                    time(t.lastUsedAt()),
                    t.lastUsedFrom(),
                    t.bypass2fa(),
                    t.scope() == null ? null : Granular.of(t.scope()));
        }

        private static String time(Long millis) {
            return millis == null ? null : Instant.ofEpochMilli(millis).toString();
        }
    }

    /** npm's granular access token fields of a restricted token, names sorted. */
    record Granular(
            List<String> packages,
            @JsonProperty("packages_all") boolean packagesAll,
            List<String> scopes,
            List<String> orgs,
            @JsonProperty("packages_and_scopes_permission") String packagesAndScopesPermission,
            @JsonProperty("orgs_permission") String orgsPermission) {
        static Granular of(TokenScope s) {
            return new Granular(
                    s.packages().stream().sorted().toList(),
                    s.allPackages(),
                    s.scopes().stream().sorted().toList(),
                    s.orgs().stream().sorted().toList(),
                    s.packagePermission(),
                    s.orgPermission());
        }
    }

    private void create(Context ctx) {
        Actor actor = Requests.user(ctx);
        Decision decision = gate.decide(actor, Action.CREATE_TOKEN, null);
        Gate.refuse(decision);
        JsonNode body = Requests.jsonObject(ctx);
        String password = body.path("password").asText("");
        if (!users.checkPassword(actor.user(), password, actor.sourceAddress())) {
            throw new AirlockException(
                    dev.airlock.shared.ErrorCode.LOGIN_FAILED,
                    "Incorrect password. Creating a token requires your current password.");
        }
        if (body.path("readonly").asBoolean(false)) {
            throw AirlockException.badRequest(
                    "Use --packages-and-scopes-permission=read-only to create a read-only token.");
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
        String description =
                body.path("description").isTextual() ? body.get("description").asText() : null;
        if (name != null && name.length() > 200 || description != null && description.length() > 1000) {
            throw AirlockException.badRequest("The token name or description is too long.");
        }
        IssuedToken issued = tokens.issue(actor, actor.user(), name, description, cidr, expires, scope);
        Responses.json(ctx, TokenView.of(issued.token(), issued.secret()));
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
        boolean restricted = all
                || bypass
                || !packages.isEmpty()
                || !scopes.isEmpty()
                || !orgs.isEmpty()
                || pkgPermission != null
                || orgPermission != null;
        if (!restricted) {
            return null;
        }
        if (bypass && !all && packages.isEmpty() && scopes.isEmpty() && pkgPermission == null) {
            // a bare --bypass-2fa token is meant for publishing pipelines: all packages, read-write
            all = true;
            pkgPermission = TokenScope.READ_WRITE;
        }
        return TokenScope.builder()
                .packages(Set.copyOf(packages))
                .allPackages(all)
                .scopes(Set.copyOf(scopes))
                .orgs(Set.copyOf(orgs))
                .packagePermission(pkgPermission)
                .orgPermission(orgPermission)
                .bypass2fa(bypass)
                .build();
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
