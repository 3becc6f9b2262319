package dev.airlock.console.http;

import dev.airlock.console.view.DeliveryLog;
import dev.airlock.notifications.NotificationService;
import dev.airlock.shared.Actor;
import io.javalin.config.RoutesConfig;
import java.util.Map;

/**
 * Notifications in the console: the delivery log for admins (retry a delivery, re-enable a destination disabled
 * after repeated failures) and the anti-phishing phrase form of the account page.
 */
final class DeliveryRoutes {
    private static final Map<String, String> DONE = Map.of(
            "retry", "The delivery is queued again; it goes out within a few seconds.",
            "enabled", "The destination is enabled again; its waiting deliveries go out now.");
    private final ConsoleWeb web;
    private final NotificationService notifications;

    DeliveryRoutes(ConsoleWeb web, NotificationService notifications) {
        this.web = web;
        this.notifications = notifications;
    }

    void register(RoutesConfig routes) {
        routes.get(
                "/-/console/deliveries",
                ctx -> web.guarded(ctx, s -> {
                    Actor actor = web.actor(ctx, s);
                    String done = ctx.queryParam("done");
                    web.render(
                            ctx,
                            200,
                            "deliveries.jte",
                            web.chrome("Deliveries", s, "deliveries"),
                            new DeliveryLog(
                                    done == null ? null : DONE.get(done),
                                    notifications.destinations(actor),
                                    notifications.recent(actor, 100)));
                }));
        routes.post(
                "/-/console/deliveries/retry",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    notifications.retry(web.actor(ctx, s), String.valueOf(ctx.formParam("id")));
                    ctx.redirect("/-/console/deliveries?done=retry");
                }));
        routes.post(
                "/-/console/deliveries/enable",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    notifications.enable(web.actor(ctx, s), String.valueOf(ctx.formParam("destination")));
                    ctx.redirect("/-/console/deliveries?done=enabled");
                }));
        routes.post(
                "/-/console/account/phrase",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    notifications.setPhrase(web.actor(ctx, s), ctx.formParam("phrase"));
                    ctx.redirect("/-/console/account#phrase");
                }));
    }
}
