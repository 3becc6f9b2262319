package dev.airlock.console.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.console.ConsoleSession;
import dev.airlock.console.view.PackagePages;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.npm.NpmPath;
import dev.airlock.policy.PolicyService;
import dev.airlock.shared.Actor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/** A package's page (every version and how it was authorised) and its policy page. */
final class PackageRoutes {
    private final ConsoleWeb web;
    private final PackageService packages;
    private final PolicyPages policyPages;
    private final StepUp stepUp;

    PackageRoutes(ConsoleWeb web, PackageService packages, PolicyService policies, StepUp stepUp) {
        this.web = web;
        this.packages = packages;
        this.stepUp = stepUp;
        this.policyPages = new PolicyPages(policies, stepUp);
    }

    void register(RoutesConfig routes) {
        routes.get("/-/console/package/<path>", ctx -> web.guarded(ctx, s -> packagePage(ctx, s)));
        routes.get(
                PolicyPages.PREFIX + "/<path>",
                ctx -> web.guarded(ctx, s -> {
                    var name = NpmPath.packageAfter(ctx.req().getRequestURI(), PolicyPages.PREFIX)
                            .name();
                    web.render(
                            ctx,
                            200,
                            "policy.jte",
                            web.chrome("Policy of " + name, s, null),
                            policyPages.page(web.actor(ctx, s), s, name, ctx.queryParam("done")));
                }));
        routes.post(
                PolicyPages.PREFIX + "/<path>",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    var name = NpmPath.packageAfter(ctx.req().getRequestURI(), PolicyPages.PREFIX)
                            .name();
                    Actor actor = web.actor(ctx, s);
                    policyPages.save(
                            actor.withOtp(stepUp.otp(ctx, actor, "package-policy:" + name)),
                            name,
                            ctx.formParam("mfa"),
                            ctx.formParam("stagingRequired"),
                            ctx.formParam("approvals"),
                            ctx.formParam("securityKeyApproval"));
                    ctx.redirect(PolicyPages.url(name) + "?done=saved");
                }));
    }

    private void packagePage(Context ctx, ConsoleSession s) {
        NpmPath p = NpmPath.parse(ctx.req().getRequestURI().substring("/-/console/package".length()));
        JsonNode doc = packages.packument(web.actor(ctx, s), p.name(), false);
        List<PackagePages.Version> versions = new ArrayList<>();
        doc.path("versions")
                .properties()
                .iterator()
                .forEachRemaining(e -> versions.add(
                        new PackagePages.Version(e.getKey(), how(e.getValue().path("airlock")))));
        web.render(
                ctx,
                200,
                "package.jte",
                web.chrome(p.name().toString(), s, null),
                new PackagePages.Page(
                        p.name().toString(), doc.path("description").asText(), PolicyPages.url(p.name()), versions));
    }

    /** The packument's {@code airlock} field in words: staged and approved by whom, imported, or published directly. */
    private static String how(JsonNode a) {
        if ("staged".equals(a.path("method").asText())) {
            StringBuilder approvers = new StringBuilder();
            a.path("approvedBy")
                    .forEach(x -> approvers
                            .append(approvers.length() == 0 ? "" : ", ")
                            .append(x.path("name").asText())
                            .append(" (")
                            .append(x.path("factor").asText())
                            .append(")"));
            return "staged by " + a.path("stagedBy").asText() + " ("
                    + a.path("stagedVia").asText() + "), approved by " + approvers;
        }
        if ("import".equals(a.path("method").asText())) {
            return "imported from " + a.path("source").asText() + " by "
                    + a.path("importedBy").asText() + " on "
                    + a.path("importedAt").asText();
        }
        if (a.has("method")) {
            return "published directly by " + a.path("publishedBy").asText() + " ("
                    + a.path("via").asText() + ")"
                    + (a.path("secondFactor").isTextual()
                            ? " with " + a.path("secondFactor").asText()
                            : " without a second factor");
        }
        return "not recorded";
    }
}
