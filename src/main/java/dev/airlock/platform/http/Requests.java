package dev.airlock.platform.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.BodyTree;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import io.javalin.http.Context;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** Request helpers shared by every adapter: the acting principal, the JSON body, the source address. */
public final class Requests {
    static final String ACTOR = "airlock.actor";
    static final String SPOOLS = "airlock.spools";
    static final io.javalin.config.Key<Settings> SETTINGS = new io.javalin.config.Key<>("airlock.requests");

    /** What the server was configured with, shared by all its requests (Javalin app data). */
    record Settings(
            Authenticator authenticator,
            java.util.List<String> trustedProxies,
            long maxBodyBytes,
            java.nio.file.Path spoolDir) {}

    private Requests() {}

    /** The authenticated actor (or anonymous); resolved once per request. */
    public static Actor actor(Context ctx) {
        Actor actor = ctx.attribute(ACTOR);
        if (actor == null) {
            actor = resolve(
                    ctx.appData(SETTINGS).authenticator(),
                    ctx.header("Authorization"),
                    source(ctx),
                    userAgent(ctx),
                    ctx.header("npm-otp"));
            ctx.attribute(ACTOR, actor);
        }
        return actor;
    }

    /** The actor a request's credentials, address, user agent and one-time password make. */
    static Actor resolve(Authenticator auth, String authorization, String source, String userAgent, String otp) {
        Actor actor = auth.authenticate(authorization, source, userAgent);
        return otp != null && !otp.isBlank() ? actor.withOtp(otp.trim()) : actor;
    }

    /** Nobody yet (a sign-in, a login, an OIDC exchange), with the request's address and user agent. */
    public static Actor anonymous(Context ctx) {
        return Actor.anonymous(source(ctx)).withUserAgent(userAgent(ctx));
    }

    /** The client's {@code User-Agent} header, or null. */
    public static String userAgent(Context ctx) {
        return ctx.header("User-Agent");
    }

    /** The actor, who must be logged in. */
    public static Actor user(Context ctx) {
        Actor actor = actor(ctx);
        if (!actor.authenticated()) {
            throw new AirlockException(
                    ErrorCode.UNAUTHORIZED, "You must be logged in to do this. Run `npm login` first.");
        }
        return actor;
    }

    /**
     * The client's address: the peer, or — only when the peer is a proxy listed in server.trustedProxies — the
     * right-most address in X-Forwarded-For that is not itself a trusted proxy.
     */
    public static String source(Context ctx) {
        java.util.List<String> trusted = ctx.appData(SETTINGS).trustedProxies();
        String peer = ctx.req().getRemoteAddr();
        // no header lookup when no proxy is trusted
        return trusted == null || trusted.isEmpty() ? peer : source(peer, ctx.header("X-Forwarded-For"), trusted);
    }

    /** {@link #source(Context)} from the peer's address and the X-Forwarded-For header. */
    static String source(String peer, String forwarded, java.util.List<String> trusted) {
        if (trusted == null || trusted.isEmpty() || forwarded == null || !isTrusted(peer, trusted)) {
            return peer;
        }
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!hop.matches("[0-9a-fA-F:.]{2,45}")) {
                return peer;
            }
            if (!isTrusted(hop, trusted)) {
                return hop;
            }
        }
        return peer;
    }

    private static boolean isTrusted(String address, java.util.List<String> trusted) {
        for (String cidr : trusted) {
            if (dev.airlock.shared.Cidr.contains(cidr, address)) {
                return true;
            }
        }
        return false;
    }

    public static String otp(Context ctx) {
        return ctx.header("npm-otp");
    }

    /**
     * Parses the body as JSON; a body that is not JSON is a 400 with a clear message. The body is streamed, so the size
     * limit (limits.maxBodyBytes) is enforced here, also for chunked bodies that declare no length. A publish body's
     * tarball arrives decoded: a binary node, or past 1 MiB a {@link dev.airlock.platform.io.Spool} on disk that lives
     * until the request is done (see {@link BodyTree}).
     */
    public static JsonNode json(Context ctx) {
        String type = ctx.header("Content-Type");
        if (type != null && !type.isBlank() && !type.toLowerCase(Locale.ROOT).contains("json")) {
            throw new AirlockException(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "Expected a JSON body (Content-Type: application/json), got " + type);
        }
        long limit = ctx.appData(SETTINGS).maxBodyBytes();
        if (ctx.req().getContentLengthLong() > limit) {
            throw tooLarge(limit);
        }
        try (InputStream in = new Limited(ctx.bodyInputStream(), limit)) {
            java.util.List<dev.airlock.platform.io.Spool> spools = new java.util.ArrayList<>();
            ctx.attribute(SPOOLS, spools); // closed when the request is done (HttpServer)
            JsonNode node = BodyTree.read(in, ctx.appData(SETTINGS).spoolDir(), spools);
            if (node == null || node.isMissingNode()) {
                throw AirlockException.badRequest("The request body is empty; expected JSON.");
            }
            return node;
        } catch (TooLarge e) {
            throw tooLarge(limit);
        } catch (BodyTree.BadAttachment e) {
            throw AirlockException.badRequest(e.getMessage());
        } catch (JsonProcessingException e) {
            throw AirlockException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            if (ClientLimits.tooSlow(e)) {
                throw new AirlockException(
                        ErrorCode.REQUEST_TIMEOUT,
                        "The request body arrived too slowly (under server.limits.minRequestBytesPerSecond), so the"
                                + " registry stopped reading it and stored nothing. Send it again over a faster"
                                + " connection.");
            }
            if (StorageFull.causes(e)) {
                // spooling a large body to DATA/tmp ran out of space: the server's problem, not the request's
                throw new AirlockException(ErrorCode.INSUFFICIENT_STORAGE, StorageFull.MESSAGE);
            }
            throw AirlockException.badRequest("Could not read the request body: " + e.getMessage());
        }
    }

    /** Closes the spools a request's body was decoded into (their files are unlinked already; this frees the space). */
    static void closeSpools(Context ctx) {
        java.util.List<dev.airlock.platform.io.Spool> spools = ctx.attribute(SPOOLS);
        if (spools != null) {
            for (dev.airlock.platform.io.Spool s : spools) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // the file has no name; nothing else to do
                }
            }
            spools.clear();
        }
    }

    private static AirlockException tooLarge(long limit) {
        return new AirlockException(
                ErrorCode.PAYLOAD_TOO_LARGE,
                "The request body is larger than this registry accepts (" + limit + " bytes).");
    }

    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("request body too large", null);
        }
    }

    /** Fails once more than {@code limit} bytes have been read. */
    private static final class Limited extends FilterInputStream {
        private final long limit;
        private long count;

        Limited(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && ++count > limit) {
                throw new TooLarge();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (count += n) > limit) {
                throw new TooLarge();
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            if (s > 0 && (count += s) > limit) {
                throw new TooLarge();
            }
            return s;
        }
    }

    /** The JSON body as an object; anything else is a 400. */
    public static JsonNode jsonObject(Context ctx) {
        JsonNode node = json(ctx);
        if (!node.isObject()) {
            throw AirlockException.badRequest("The request body must be a JSON object.");
        }
        return node;
    }

    /** A required string field of a JSON object. */
    public static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw AirlockException.badRequest("The field \"" + field + "\" is required and must be a string.");
        }
        return v.asText();
    }
}
