package dev.airlock.trust.http;

import dev.airlock.platform.http.ErrorMapper;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.platform.npm.NpmPath;
import dev.airlock.policy.Gate;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.trust.TrustService;
import dev.airlock.trust.TrustedPublisher;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * npm trust list|github|gitlab|circleci|revoke, the OIDC token exchange, and the fence around exchanged tokens:
 * they may read packuments, publish (PUT /name) and stage (POST /-/stage/package/name) — nothing else.
 * Register before the packages module: its /-/package/ routes would otherwise take the trust paths.
 */
public final class TrustRoutes implements RouteModule {
    private static final String EXCHANGE = "/-/npm/v1/oidc/token/exchange/package";
    private final TrustService trust;
    private final Gate gate;

    public TrustRoutes(TrustService trust, Gate gate) {
        this.trust = trust;
        this.gate = gate;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.before(this::fence);
        for (String base : List.of("/-/package/{name}/trust", "/-/package/{scope}/{name}/trust")) {
            routes.get(
                    base,
                    ctx -> Responses.json(
                            ctx,
                            views(trust.list(
                                    Requests.user(ctx), packagePath(ctx).name()))));
            routes.post(
                    base,
                    ctx -> Responses.json(
                            ctx,
                            views(trust.create(
                                    Requests.user(ctx), packagePath(ctx).name(), Requests.json(ctx)))));
            routes.delete(base + "/{id}", ctx -> {
                trust.revoke(Requests.user(ctx), packagePath(ctx).name(), ctx.pathParam("id"));
                ctx.status(204);
            });
        }
        routes.post(EXCHANGE + "/<path>", this::exchange);
    }

    private static NpmPath packagePath(Context ctx) {
        NpmPath p = NpmPath.parse(ctx.req().getRequestURI().substring("/-/package".length()));
        if (p.size() < 1 || !p.at(0).equals("trust")) {
            throw AirlockException.notFound("Not found");
        }
        return p;
    }

    /** POST <origin>/-/npm/v1/oidc/token/exchange/package/NAME with the CI ID token as bearer and no body. */
    private void exchange(Context ctx) {
        NpmPath p = NpmPath.packageAfter(ctx.req().getRequestURI(), EXCHANGE);
        String auth = ctx.header("Authorization");
        String idToken = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                ? auth.substring(7).trim()
                : null;
        try {
            Responses.json(ctx, Map.of("token", trust.exchange(p.name(), idToken, Requests.anonymous(ctx))));
        } catch (AirlockException e) {
            // npm logs the `message` field of a failed exchange; other clients read `error`
            ErrorMapper.write(ctx, e.code().status(), e.getMessage());
            ctx.result("{\"error\":" + quote(e.getMessage()) + ",\"message\":" + quote(e.getMessage()) + "}");
        }
    }

    private static String quote(String s) {
        return dev.airlock.platform.json.Json.write(s);
    }

    /** Tokens from trusted publishing may only read packages, publish and stage: the gate's fence, on every request. */
    private void fence(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return;
        }
        Actor actor;
        try {
            actor = Requests.actor(ctx);
        } catch (AirlockException e) {
            return; // the endpoint answers for invalid credentials itself
        }
        Gate.refuse(gate.decideRequest(actor, ctx.method().name(), ctx.path()));
    }

    static List<TrustView> views(List<TrustedPublisher> list) {
        return list.stream()
                .map(t -> new TrustView(t.id(), t.type(), t.claims(), t.permissions()))
                .toList();
    }

    /** A trust relationship as npm trust list prints it; {@code claims} as stored (they differ by provider). */
    record TrustView(String id, String type, Map<String, Object> claims, List<String> permissions) {}
}
