package dev.airlock.console.http;

import dev.airlock.console.ConsoleSession;
import dev.airlock.console.view.MailCheckPage;
import dev.airlock.mailcheck.MailCheckService;
import dev.airlock.shared.AirlockException;
import io.javalin.config.RoutesConfig;
import java.util.List;

/**
 * The admins' mail-domain check page (docs/mail-check.md): GET lists the domains, POST runs the check and shows the
 * verdicts (nothing is cached: each node runs it itself). Anyone else gets 404, as if the page did not exist.
 */
final class MailCheckRoutes {
    private static final String PATH = "/-/console/admin/mail";
    private final ConsoleWeb web;
    private final MailCheckService mailCheck;

    MailCheckRoutes(ConsoleWeb web, MailCheckService mailCheck) {
        this.web = web;
        this.mailCheck = mailCheck;
    }

    void register(RoutesConfig routes) {
        routes.get(
                PATH,
                ctx -> web.guarded(ctx, s -> {
                    requireAdmin(s);
                    web.render(
                            ctx,
                            200,
                            "admin-mail.jte",
                            web.chrome("Mail domains", s, "admin-mail"),
                            new MailCheckPage(mailCheck.domains(), null));
                }));
        routes.post(
                PATH,
                ctx -> web.guarded(ctx, s -> {
                    requireAdmin(s);
                    ConsoleWeb.requireCsrf(ctx, s);
                    web.render(
                            ctx,
                            200,
                            "admin-mail.jte",
                            web.chrome("Mail domains", s, "admin-mail"),
                            new MailCheckPage(mailCheck.domains(), mailCheck.check(List.of())));
                }));
    }

    private void requireAdmin(ConsoleSession s) {
        if (!web.admin(s)) {
            throw AirlockException.notFound("There is no such page.");
        }
    }
}
