package dev.airlock.audit.http;

import dev.airlock.audit.AuditService;
import dev.airlock.audit.Checkpoint;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit log's public face (docs/audit.md): the latest signed checkpoint, the verifier key, and inclusion and
 * consistency proofs. They carry hashes and sizes only, never an event, so anyone who may read packages may read them
 * (with {@code auth.anonymousRead: false}, anyone signed in).
 */
public final class LogRoutes implements RouteModule {
    private final AuditService audit;
    private final boolean anonymousRead;
    /** When a reader last had a checkpoint signed on demand (System.nanoTime): at most one a second. */
    private final java.util.concurrent.atomic.AtomicLong signedOnDemand =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - 2_000_000_000L);

    public LogRoutes(AuditService audit, boolean anonymousRead) {
        this.audit = audit;
        this.anonymousRead = anonymousRead;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/-/airlock/v1/log/checkpoint", ctx -> {
            reader(ctx);
            // a checkpoint covering everything sequenced, so that an approval made a moment ago can be proved now
            // (docs/verification.md); signed on demand at most once a second, otherwise the latest
            long now = System.nanoTime();
            long last = signedOnDemand.get();
            Checkpoint c = now - last >= 1_000_000_000L && signedOnDemand.compareAndSet(last, now)
                    ? audit.checkpoint()
                    : audit.latestCheckpoint();
            if (c == null) {
                c = audit.checkpoint();
            }
            ctx.contentType("text/plain; charset=utf-8")
                    .header("Cache-Control", "no-cache")
                    .result(c.text());
        });
        routes.get("/-/airlock/v1/log/key", ctx -> {
            reader(ctx);
            ctx.contentType("text/plain; charset=utf-8").result(audit.key().verifierText() + "\n");
        });
        routes.get("/-/airlock/v1/log/proof/inclusion", ctx -> {
            reader(ctx);
            long size = number(ctx, "size", true);
            long index = number(ctx, "index", false);
            List<byte[]> proof = proof(() -> audit.inclusionProof(index, size));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("index", index);
            out.put("size", size);
            out.put("root", b64(audit.root(size)));
            out.put("hashes", proof.stream().map(LogRoutes::b64).toList());
            Responses.json(ctx, out);
        });
        routes.get("/-/airlock/v1/log/proof/consistency", ctx -> {
            reader(ctx);
            long to = number(ctx, "to", true);
            long from = number(ctx, "from", false);
            List<byte[]> proof = proof(() -> audit.consistencyProof(from, to));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("from", from);
            out.put("to", to);
            out.put("hashes", proof.stream().map(LogRoutes::b64).toList());
            Responses.json(ctx, out);
        });
    }

    private void reader(Context ctx) {
        if (!anonymousRead) {
            Requests.user(ctx);
        }
    }

    /** A query parameter that must be a whole number; {@code size}/{@code to} default to the latest checkpoint. */
    private long number(Context ctx, String name, boolean defaultsToCheckpoint) {
        String v = ctx.queryParam(name);
        if (v == null && defaultsToCheckpoint) {
            Checkpoint c = audit.latestCheckpoint();
            return c == null ? audit.checkpoint().size() : c.size();
        }
        try {
            return Long.parseLong(v == null ? "" : v);
        } catch (NumberFormatException e) {
            throw new AirlockException(ErrorCode.BAD_REQUEST, "Give ?" + name + "= as a whole number");
        }
    }

    private static List<byte[]> proof(java.util.function.Supplier<List<byte[]>> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new AirlockException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
