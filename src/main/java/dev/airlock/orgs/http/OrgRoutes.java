package dev.airlock.orgs.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.orgs.OrgRole;
import dev.airlock.orgs.OrgService;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.shared.Actor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** npm org set|rm|ls and npm team create|destroy|add|rm|ls (libnpmorg, libnpmteam). */
public final class OrgRoutes implements RouteModule {
    private final OrgService orgs;

    public OrgRoutes(OrgService orgs) {
        this.orgs = orgs;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.put("/-/org/{org}/user", this::setMember);
        routes.delete("/-/org/{org}/user", ctx -> {
            orgs.removeMember(Requests.user(ctx), ctx.pathParam("org"), Requests.text(Requests.jsonObject(ctx), "user"));
            ctx.status(204);
        });
        routes.get("/-/org/{org}/user", ctx -> {
            Map<String, String> out = new LinkedHashMap<>();
            orgs.members(Requests.user(ctx), ctx.pathParam("org")).forEach((u, r) -> out.put(u, r.wire()));
            Responses.json(ctx, out);
        });
        routes.put("/-/org/{org}/team", ctx -> {
            JsonNode body = Requests.jsonObject(ctx);
            String name = Requests.text(body, "name");
            String description = body.path("description").isTextual() ? body.get("description").asText() : null;
            orgs.createTeam(Requests.user(ctx), ctx.pathParam("org"), name, description);
            Responses.json(ctx, 201, Map.of("name", name));
        });
        routes.get("/-/org/{org}/team", ctx -> {
            String org = ctx.pathParam("org");
            Responses.json(ctx, orgs.teams(Requests.user(ctx), org).stream().map(t -> OrgService.validName(org, "org") + ":" + t).toList());
        });
        routes.delete("/-/team/{org}/{team}", ctx -> {
            orgs.destroyTeam(Requests.user(ctx), ctx.pathParam("org"), ctx.pathParam("team"));
            ctx.status(204);
        });
        routes.put("/-/team/{org}/{team}/user", ctx -> {
            String user = Requests.text(Requests.jsonObject(ctx), "user");
            orgs.addToTeam(Requests.user(ctx), ctx.pathParam("org"), ctx.pathParam("team"), user);
            Responses.json(ctx, 201, Map.of("user", user));
        });
        routes.delete("/-/team/{org}/{team}/user", ctx -> {
            String user = Requests.text(Requests.jsonObject(ctx), "user");
            orgs.removeFromTeam(Requests.user(ctx), ctx.pathParam("org"), ctx.pathParam("team"), user);
            ctx.status(204);
        });
        routes.get("/-/team/{org}/{team}/user", ctx ->
                Responses.json(ctx, orgs.teamMembers(Requests.user(ctx), ctx.pathParam("org"), ctx.pathParam("team"))));
    }

    private void setMember(Context ctx) {
        Actor actor = Requests.user(ctx);
        JsonNode body = Requests.jsonObject(ctx);
        String user = Requests.text(body, "user");
        OrgRole role = OrgRole.parse(body.path("role").asText("developer"));
        String org = OrgService.validName(ctx.pathParam("org"), "org");
        int size = orgs.setMember(actor, org, user, role);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("org", Map.of("name", org, "size", size));
        out.put("user", user);
        out.put("role", role.wire());
        Responses.json(ctx, out);
    }
}
