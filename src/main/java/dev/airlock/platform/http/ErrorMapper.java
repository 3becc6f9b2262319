package dev.airlock.platform.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.Throwables;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become npm-shaped responses: {@code {"error": "..."}} with the right status. */
public final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    static final String BUSY = "The registry's database is locked by another process (a backup, an import or a"
            + " database shell), so nothing was changed. Repeat this request in a few seconds.";

    static final String UNREACHABLE = "The registry cannot reach its database right now, so this request may not have"
            + " been carried out. Repeat it in a few seconds (a publish that did go through answers that the version"
            + " exists).";

    private ErrorMapper() {}

    public static void handle(AirlockException e, Context ctx) {
        ErrorCode code = e.code();
        switch (code) {
            // npm matches an exact comma-separated item "OTP" (no parameters) to start its OTP flow.
            case OTP_REQUIRED -> ctx.header("WWW-Authenticate", "OTP");
            case UNAUTHORIZED -> ctx.header("WWW-Authenticate", "Bearer");
            case IP_NOT_ALLOWED -> ctx.header("WWW-Authenticate", "ipaddress");
            case TOO_MANY_REQUESTS ->
                ctx.header(
                        "Retry-After",
                        Long.toString(
                                e instanceof dev.airlock.shared.RateLimited r
                                        ? Math.max(1, r.retryAfterSeconds())
                                        : 60));
            default -> {}
        }
        // npm opens authUrl and polls doneUrl for the code (web OTP), in a terminal; elsewhere it prints both
        write(
                ctx,
                code.status(),
                e instanceof dev.airlock.shared.KeyChallenge k
                        ? new ErrorBody(e.getMessage(), k.authUrl(), k.doneUrl())
                        : new ErrorBody(e.getMessage()));
    }

    public static void unexpected(Exception e, Context ctx) {
        if (StorageFull.causes(e)) {
            LOG.warn("{} {} refused: the disk is full ({})", ctx.method(), ctx.path(), e.toString());
            handle(new AirlockException(ErrorCode.INSUFFICIENT_STORAGE, StorageFull.MESSAGE), ctx);
            return;
        }
        if (Database.isBusy(e)) {
            // another process held SQLite's write lock for longer than busy_timeout (a backup, an import, a shell)
            LOG.warn("{} {} refused: the database stayed locked ({})", ctx.method(), ctx.path(), e.toString());
            ctx.header("Retry-After", "5");
            handle(new AirlockException(ErrorCode.SERVICE_UNAVAILABLE, BUSY), ctx);
            return;
        }
        if (Database.isUnavailable(e)) {
            LOG.warn("{} {} failed: the database cannot be reached ({})", ctx.method(), ctx.path(), e.toString());
            ctx.header("Retry-After", "5");
            handle(new AirlockException(ErrorCode.SERVICE_UNAVAILABLE, UNREACHABLE), ctx);
            return;
        }
        if (clientGone(e)) {
            // the client closed the connection mid-response (a cancelled install): nothing to answer, nothing wrong
            LOG.debug("{} {}: the client went away ({})", ctx.method(), ctx.path(), e.toString());
            return;
        }
        LOG.error("Unexpected failure on {} {}", ctx.method(), ctx.path(), e);
        write(ctx, 500, "Internal server error. The server log has the details.");
    }

    /** Whether {@code e} is the client closing its connection while the response was being written. */
    static boolean clientGone(Throwable e) {
        return Throwables.anyCause(e, t -> {
            String m = t.getMessage();
            return t instanceof org.eclipse.jetty.io.EofException
                    || (t instanceof java.io.IOException
                            && m != null
                            && (m.contains("Broken pipe") || m.contains("Connection reset by peer")));
        });
    }

    public static void write(Context ctx, int status, String message) {
        write(ctx, status, new ErrorBody(message));
    }

    /** npm prints {@code error}; a security-key challenge adds the web OTP URLs. */
    record ErrorBody(
            String error,
            @JsonInclude(JsonInclude.Include.NON_NULL) String authUrl,
            @JsonInclude(JsonInclude.Include.NON_NULL) String doneUrl) {
        ErrorBody(String error) {
            this(error, null, null);
        }
    }

    private static void write(Context ctx, int status, ErrorBody body) {
        ctx.status(status);
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/json");
        ctx.result(Json.write(body));
    }
}
