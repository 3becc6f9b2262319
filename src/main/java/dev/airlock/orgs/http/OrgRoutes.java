package dev.airlock.orgs.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.orgs.OrgRole;
import dev.airlock.orgs.OrgService;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.policy.Action;
import dev.airlock.policy.Gate;
import dev.airlock.shared.Actor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * npm org set|rm|ls and npm team create|destroy|add|rm|ls (libnpmorg, libnpmteam). Every change asks the policy gate
 * first ({@link Action#CHANGE_ORG}: a fresh code in auth-and-writes mode), then the orgs use case checks roles.
 */
public final class OrgRoutes implements RouteModule {
    private final OrgService orgs;
    private final Gate gate;

    public OrgRoutes(OrgService orgs, Gate gate) {
        this.orgs = orgs;
        this.gate = gate;
    }

    /** The signed-in actor, once the gate allowed an org or team change (or verified its second factor). */
    private Actor changer(Context ctx) {
        Actor actor = Requests.user(ctx);
        gate.authorise(actor, Action.CHANGE_ORG, null);
        return actor;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.put("/-/org/{org}/user", this::setMember);
        routes.delete("/-/org/{org}/user", ctx -> {
            Requests.user(ctx);
            String user = Requests.text(Requests.jsonObject(ctx), "user");
            orgs.removeMember(changer(ctx), ctx.pathParam("org"), user);
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
            String description = body.path("description").isTextual()
                    ? body.get("description").asText()
                    : null;
            orgs.createTeam(changer(ctx), ctx.pathParam("org"), name, description);
            Responses.json(ctx, 201, Map.of("name", name));
        });
        routes.get("/-/org/{org}/team", ctx -> {
            String org = ctx.pathParam("org");
            Responses.json(
                    ctx,
                    orgs.teams(Requests.user(ctx), org).stream()
                            .map(t -> OrgService.validName(org, "org") + ":" + t)
                            .toList());
        });
        routes.delete("/-/team/{org}/{team}", ctx -> {
            orgs.destroyTeam(changer(ctx), ctx.pathParam("org"), ctx.pathParam("team"));
            ctx.status(204);
        });
        routes.put("/-/team/{org}/{team}/user", ctx -> {
            String user = Requests.text(Requests.jsonObject(ctx), "user");
            orgs.addToTeam(changer(ctx), ctx.pathParam("org"), ctx.pathParam("team"), user);
            Responses.json(ctx, 201, Map.of("user", user));
        });
        routes.delete("/-/team/{org}/{team}/user", ctx -> {
            String user = Requests.text(Requests.jsonObject(ctx), "user");
            orgs.removeFromTeam(changer(ctx), ctx.pathParam("org"), ctx.pathParam("team"), user);
            ctx.status(204);
        });
        routes.get(
                "/-/team/{org}/{team}/user",
                ctx -> Responses.json(
                        ctx, orgs.teamMembers(Requests.user(ctx), ctx.pathParam("org"), ctx.pathParam("team"))));
    }

    private void setMember(Context ctx) {
        Actor actor = Requests.user(ctx);
        JsonNode body = Requests.jsonObject(ctx);
        String user = Requests.text(body, "user");
        OrgRole role = OrgRole.parse(body.path("role").asText("developer"));
        String org = OrgService.validName(ctx.pathParam("org"), "org");
        gate.authorise(actor, Action.CHANGE_ORG, null);
        int size = orgs.setMember(actor, org, user, role);
        Responses.json(ctx, new MemberSet(new OrgSize(org, size), user, role.wire()));
    }

    /** The answer to npm org set: npm prints the org's name and size, the user and the role. */
    record MemberSet(OrgSize org, String user, String role) {}

    record OrgSize(String name, int size) {}
}
