package dev.airlock.audit.export.http;

import dev.airlock.audit.export.Cursor;
import dev.airlock.audit.export.ExportService;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The audit log as a stream for a SIEM (docs/audit.md, "Export"): {@code GET /-/airlock/v1/audit/stream?after=SEQ&
 * follow=true} answers JSON Lines, one ECS object per entry or checkpoint, after entry {@code SEQ} (from the start
 * without it), and with {@code follow} keeps the response open and writes new entries as they are placed in the log.
 * Registry administrators only; to anyone else the route does not exist.
 */
public final class AuditStreamRoutes implements RouteModule {
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private final ExportService export;
    private final Predicate<Actor> admin;

    public AuditStreamRoutes(ExportService export, Predicate<Actor> admin) {
        this.export = export;
        this.admin = admin;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/-/airlock/v1/audit/stream", this::stream);
    }

    private void stream(Context ctx) {
        Actor actor = Requests.actor(ctx);
        if (!actor.authenticated() || !admin.test(actor)) {
            throw new AirlockException(ErrorCode.NOT_FOUND, "Not found");
        }
        Cursor from = Cursor.START;
        String after = ctx.queryParam("after");
        if (after != null && !after.isEmpty()) {
            try {
                from = Cursor.after(Long.parseLong(after));
            } catch (NumberFormatException e) {
                throw new AirlockException(
                        ErrorCode.BAD_REQUEST, "Give ?after= as the event.sequence of the last event you received");
            }
            if (from.seq() < -1) {
                throw new AirlockException(ErrorCode.BAD_REQUEST, "?after= is -1 or more");
            }
        }
        boolean follow = "true".equals(ctx.queryParam("follow"));
        ctx.status(200);
        ctx.contentType("application/x-ndjson; charset=utf-8");
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Accel-Buffering", "no");
        try {
            OutputStream out = ctx.res().getOutputStream();
            out.flush(); // the headers now, so a follower knows it is connected before the first entry
            export.stream(from, follow, HEARTBEAT, lines -> {
                out.write(lines.getBytes(StandardCharsets.UTF_8));
                out.flush();
            });
        } catch (IOException e) {
            // the client went away: the stream ends
        }
    }
}
