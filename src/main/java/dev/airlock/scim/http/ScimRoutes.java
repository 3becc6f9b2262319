package dev.airlock.scim.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.platform.json.Json;
import dev.airlock.scim.ScimException;
import dev.airlock.scim.ScimService;
import dev.airlock.shared.AirlockException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;

/**
 * SCIM 2.0 under {@code /scim/v2} (RFC 7644), for identity providers that push users and groups (Okta, Entra ID):
 * every request needs a SCIM client token ({@code ./airlock scim token create}); bodies and errors are
 * {@code application/scim+json}, errors in the RFC's error schema.
 */
public final class ScimRoutes implements RouteModule {
    static final String MEDIA = "application/scim+json";
    private static final String ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
    private final ScimService scim;
    private final String base;

    public ScimRoutes(ScimService scim, String publicBase) {
        this.scim = scim;
        this.base = publicBase + "/scim/v2";
    }

    private interface Handler {
        Object handle(Context ctx);
    }

    private io.javalin.http.Handler scim(int status, Handler h) {
        return ctx -> {
            try {
                scim.clientTokens().authenticate(ctx.header("Authorization"));
                Object out = h.handle(ctx);
                if (out == null) {
                    ctx.status(204);
                    return;
                }
                if (out instanceof ObjectNode node && node.path("meta").has("version")) {
                    ctx.header("ETag", node.path("meta").path("version").asText());
                    if (status == 201) {
                        ctx.header(
                                "Location", node.path("meta").path("location").asText());
                    }
                }
                send(ctx, status, out);
            } catch (ScimException e) {
                error(ctx, e.status(), e.scimType(), e.getMessage());
            } catch (AirlockException e) {
                error(ctx, e.code().status(), e.code().status() == 409 ? "uniqueness" : null, e.getMessage());
            }
        };
    }

    private static void send(Context ctx, int status, Object body) {
        ctx.status(status);
        ctx.contentType(MEDIA);
        ctx.result(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void error(Context ctx, int status, String scimType, String detail) {
        ObjectNode body = Json.object();
        body.putArray("schemas").add(ERROR_SCHEMA);
        body.put("status", String.valueOf(status));
        if (scimType != null) {
            body.put("scimType", scimType);
        }
        body.put("detail", detail);
        if (status == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"scim\"");
        }
        send(ctx, status, body);
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode node = Json.MAPPER.readTree(ctx.bodyAsBytes());
            if (node == null || !node.isObject()) {
                throw new ScimException(400, "invalidSyntax", "The body must be a JSON object.");
            }
            return node;
        } catch (java.io.IOException e) {
            throw new ScimException(400, "invalidSyntax", "The body is not valid JSON.");
        }
    }

    private static int intParam(Context ctx, String name, int fallback) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ScimException(400, "invalidValue", name + " must be a number.");
        }
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/scim/v2/ServiceProviderConfig", scim(200, ctx -> Discovery.serviceProviderConfig(base)));
        routes.get("/scim/v2/ResourceTypes", scim(200, ctx -> Discovery.resourceTypes(base)));
        routes.get("/scim/v2/Schemas", scim(200, ctx -> Discovery.schemas(base)));
        routes.get(
                "/scim/v2/Users",
                scim(
                        200,
                        ctx -> scim.listUsers(
                                ctx.queryParam("filter"),
                                intParam(ctx, "startIndex", 1),
                                intParam(ctx, "count", 100))));
        routes.post("/scim/v2/Users", scim(201, ctx -> scim.createUser(body(ctx))));
        routes.get("/scim/v2/Users/{id}", scim(200, ctx -> scim.getUser(ctx.pathParam("id"))));
        routes.put("/scim/v2/Users/{id}", scim(200, ctx -> scim.replaceUser(ctx.pathParam("id"), body(ctx))));
        routes.patch("/scim/v2/Users/{id}", scim(200, ctx -> scim.patchUser(ctx.pathParam("id"), body(ctx))));
        routes.delete("/scim/v2/Users/{id}", scim(204, ctx -> {
            scim.deleteUser(ctx.pathParam("id"));
            return null;
        }));
        routes.get(
                "/scim/v2/Groups",
                scim(
                        200,
                        ctx -> scim.groups()
                                .list(
                                        ctx.queryParam("filter"),
                                        intParam(ctx, "startIndex", 1),
                                        intParam(ctx, "count", 100))));
        routes.post("/scim/v2/Groups", scim(201, ctx -> scim.groups().create(body(ctx))));
        routes.get("/scim/v2/Groups/{id}", scim(200, ctx -> scim.groups().get(ctx.pathParam("id"))));
        routes.put("/scim/v2/Groups/{id}", scim(200, ctx -> scim.groups().replace(ctx.pathParam("id"), body(ctx))));
        routes.patch("/scim/v2/Groups/{id}", scim(200, ctx -> scim.groups().patch(ctx.pathParam("id"), body(ctx))));
        routes.delete("/scim/v2/Groups/{id}", scim(204, ctx -> {
            scim.groups().delete(ctx.pathParam("id"));
            return null;
        }));
    }
}
