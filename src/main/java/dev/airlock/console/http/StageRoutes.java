package dev.airlock.console.http;

import dev.airlock.console.ConsoleSession;
import dev.airlock.console.view.Fmt;
import dev.airlock.console.view.ReviewView;
import dev.airlock.console.view.StagePages;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.review.ReleaseReview;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.sso.SsoService;
import dev.airlock.staging.Stage;
import dev.airlock.staging.StageState;
import dev.airlock.staging.StagingService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/** What waits for the user, the review page of one staged version, and approving or rejecting it. */
final class StageRoutes {
    private final ConsoleWeb web;
    private final StagingService staging;
    private final ConsolePages pages;
    private final StepUp stepUp;

    StageRoutes(ConsoleWeb web, StagingService staging, ConsolePages pages, StepUp stepUp) {
        this.web = web;
        this.staging = staging;
        this.pages = pages;
        this.stepUp = stepUp;
    }

    void register(RoutesConfig routes) {
        routes.get("/-/console/", ctx -> web.guarded(ctx, s -> home(ctx, s)));
        routes.get(
                "/-/console/stage/{id}",
                ctx -> web.guarded(ctx, s -> stagePage(ctx, s, ctx.pathParam("id"), ctx.queryParam("done"))));
        routes.post("/-/console/stage/{id}/approve", ctx -> web.guarded(ctx, s -> decide(ctx, s, true)));
        routes.post("/-/console/stage/{id}/reject", ctx -> web.guarded(ctx, s -> decide(ctx, s, false)));
        routes.post("/-/console/stage/{id}/confirm", ctx -> web.guarded(ctx, s -> confirm(ctx, s)));
    }

    private void home(Context ctx, ConsoleSession s) {
        Actor actor = web.actor(ctx, s);
        List<StagePages.Row> rows = new ArrayList<>();
        for (StagingService.StageView v : staging.list(actor, null, 0, 100).items()) {
            ReviewView review = ReviewView.of(staging.review(actor, v.stage().id()));
            rows.add(new StagePages.Row(v.stage(), v.approvals().size(), review.high(), review.medium()));
        }
        // the riskiest first, then the oldest
        rows.sort(java.util.Comparator.comparingLong(StagePages.Row::high)
                .reversed()
                .thenComparing(java.util.Comparator.comparingLong(StagePages.Row::medium)
                        .reversed())
                .thenComparingLong(r -> r.stage().createdAt()));
        web.render(ctx, 200, "staged.jte", web.chrome("Staged releases", s, "staged"), new StagePages.Listing(rows));
    }

    private void stagePage(Context ctx, ConsoleSession s, String id, String done) {
        Actor actor = web.actor(ctx, s);
        StagingService.StageView view = staging.view(actor, id);
        Stage st = view.stage();
        ReleaseReview review = st.status() == StageState.PENDING ? staging.review(actor, id) : null;
        List<StagePages.Fact> by = new ArrayList<>();
        by.add(new StagePages.Fact("By", st.actor() + " (" + st.actorType() + ")"));
        String via = pages.stagedWithToken(st.actor(), st.tokenKey());
        if (via != null) {
            by.add(new StagePages.Fact("With", via));
        }
        by.add(new StagePages.Fact("From", st.source() == null ? "unknown" : st.source()));
        by.add(new StagePages.Fact("At", Fmt.exact(st.createdAt())));
        if (st.ciJson() != null) {
            Json.parse(st.ciJson())
                    .properties()
                    .iterator()
                    .forEachRemaining(e -> by.add(
                            new StagePages.Fact("CI " + e.getKey(), e.getValue().asText())));
        }
        boolean pending = review != null;
        List<SsoService.Provider> idps = stepUp.idps(s.user());
        web.render(
                ctx,
                200,
                "stage.jte",
                web.chrome(st.pkg() + "@" + st.version(), s, "staged"),
                new StagePages.Review(
                        st,
                        view.approvals().size(),
                        done,
                        pending ? ReviewView.of(review) : null,
                        by,
                        stepUp.showOtp(s.user(), idps),
                        // each key answer is bound to this version and these bytes
                        pending
                                ? stepUp.key(
                                        s,
                                        "approve:" + st.id() + ":" + st.integrity(),
                                        "approve-key",
                                        "Approve with security key")
                                : null,
                        pending
                                ? stepUp.key(
                                        s,
                                        "reject:" + st.id() + ":" + st.integrity(),
                                        "reject-key",
                                        "Reject with security key")
                                : null,
                        pending
                                ? idps.stream()
                                        .map(p -> new StagePages.Idp(p.name(), p.label()))
                                        .toList()
                                : List.of(),
                        pending && stepUp.idpConfirmed(ctx) ? decision(ctx.queryParam("confirmed")) : null));
    }

    /**
     * "Confirm with <IdP>": a re-authentication at the identity provider as the fresh factor for approving (or
     * rejecting) this version with these bytes (docs/sso.md, "Presence"); the provider sends the browser back to the
     * stage page, which then offers the confirmed decision's button.
     */
    private void confirm(Context ctx, ConsoleSession s) {
        ConsoleWeb.requireCsrf(ctx, s);
        String id = ctx.pathParam("id");
        Actor actor = web.actor(ctx, s);
        Stage st = staging.view(actor, id).stage();
        if (!Hashes.same(ctx.formParam("integrity"), st.integrity())) {
            throw AirlockException.conflict(
                    "The staged bytes are not the ones you reviewed; reload the page and review again.");
        }
        String decision = decision(ctx.formParam("decision"));
        stepUp.goToIdp(
                ctx,
                web,
                s,
                decision + ":" + id + ":" + st.integrity(),
                "/-/console/stage/" + id + "?confirmed=" + decision + "#decide");
    }

    /** "reject" when asked for, else "approve" (what a confirmation at the identity provider is for). */
    private static String decision(String asked) {
        return "reject".equals(asked) ? "reject" : "approve";
    }

    /** Approve or reject: CSRF, the digest that was reviewed, a fresh factor; then the session id rotates. */
    private void decide(Context ctx, ConsoleSession s, boolean approve) {
        ConsoleWeb.requireCsrf(ctx, s);
        String id = ctx.pathParam("id");
        Actor actor = web.actor(ctx, s);
        Stage st = staging.view(actor, id).stage();
        if (!Hashes.same(ctx.formParam("integrity"), st.integrity())) {
            throw AirlockException.conflict(
                    "The staged bytes are not the ones you reviewed; reload the page and review again.");
        }
        actor = actor.withOtp(stepUp.otp(ctx, actor, (approve ? "approve:" : "reject:") + id + ":" + st.integrity()));
        if (approve) {
            staging.approve(actor, id);
        } else {
            staging.reject(actor, id);
        }
        web.rotate(ctx, actor);
        ctx.redirect("/-/console/stage/" + id + "?done=" + (approve ? "approved" : "rejected"));
    }
}
