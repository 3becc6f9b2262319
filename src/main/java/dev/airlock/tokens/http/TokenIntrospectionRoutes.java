package dev.airlock.tokens.http;

import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.tokens.TokenService;
import io.javalin.config.RoutesConfig;

/** {@code GET /-/airlock/v1/token}: what the presented bearer token is (docs/tokens.md); airlock-doctor asks it. */
public final class TokenIntrospectionRoutes implements RouteModule {
    private final TokenService tokens;

    public TokenIntrospectionRoutes(TokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/-/airlock/v1/token", ctx -> {
            ctx.header("Cache-Control", "no-store");
            Responses.json(ctx, tokens.introspect(Requests.user(ctx)));
        });
    }
}
