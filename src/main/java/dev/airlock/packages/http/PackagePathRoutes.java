package dev.airlock.packages.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.packages.PackageService;
import dev.airlock.packages.Packages;
import dev.airlock.packages.TarballRef;
import dev.airlock.packages.Unpublish;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.platform.npm.NpmPath;
import dev.airlock.policy.Action;
import dev.airlock.policy.Gate;
import dev.airlock.proxy.ProxyService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/**
 * GET and DELETE on package paths (register last: it catches every path not taken by a /-/ route):
 * packuments, version documents, tarballs, whole-package and tarball unpublish.
 */
public final class PackagePathRoutes implements RouteModule {
    private static final String CORGI = "application/vnd.npm.install-v1+json";
    private final PackageService packages;
    private final Unpublish unpublish;
    private final Gate gate;
    /** The upstream proxy, asked only for names with no local package in any state; null when none is configured. */
    private final ProxyService proxy;

    public PackagePathRoutes(Packages packages, Gate gate, ProxyService proxy) {
        this.packages = packages.reads();
        this.unpublish = packages.unpublish();
        this.gate = gate;
        this.proxy = proxy;
    }

    /**
     * Whether a read that found nothing here goes to the upstream proxy: only when no local package has the name in
     * any state (a local package, even unpublished, reserved by staging or invisible to this actor, wins completely).
     * Local reads stay one row: this is asked only after they answered 404.
     */
    private boolean proxied(AirlockException notFound, Actor actor, PackageName name) {
        return proxy != null
                && notFound.code() == ErrorCode.NOT_FOUND
                && packages.visibility(actor, name) == PackageService.Visibility.ABSENT;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/<path>", this::get);
        // without this, Javalin answers HEAD itself with an empty 200 for every path, even missing packages
        routes.head("/<path>", this::get);
        routes.delete("/<path>", this::delete);
    }

    private void get(Context ctx) {
        NpmPath p = NpmPath.parse(ctx.req().getRequestURI());
        Actor actor = Requests.actor(ctx);
        if (p.size() == 0) {
            packument(ctx, actor, p.name());
        } else if (p.size() == 2 && p.at(0).equals("-")) {
            tarball(ctx, actor, p.name(), p.at(1));
        } else if (p.size() == 1 && !p.at(0).equals("-")) {
            JsonNode manifest;
            try {
                manifest = packages.versionManifest(actor, p.name(), p.at(0));
            } catch (AirlockException e) {
                if (!proxied(e, actor, p.name())) {
                    throw e;
                }
                manifest = proxy.versionManifest(actor, p.name(), p.at(0));
            }
            Responses.json(ctx, manifest);
        } else {
            throw AirlockException.notFound("Not found");
        }
    }

    private void packument(Context ctx, Actor actor, PackageName name) {
        String accept = ctx.header("Accept");
        boolean corgi = accept != null && accept.contains(CORGI);
        String encodings = ctx.header("Accept-Encoding");
        boolean gzip = encodings != null && encodings.contains("gzip");
        PackageService.ServedDocument doc;
        if (proxy == null) {
            doc = packages.served(actor, name, corgi, gzip);
        } else {
            // local first, then the upstream's copy (one read for both when it is cached)
            ProxyService.Served served = proxy.packument(actor, name, corgi, gzip);
            if (served.stale()) {
                // RFC 7234's warning: the upstream could not be asked, this is the copy cached earlier
                ctx.header("Warning", "110 - \"Response is stale\"");
            }
            if (served.hidden() != null) {
                // what the registry's cooldown and blocks removed from this packument (docs/proxy.md)
                ctx.header("Airlock-Hidden", served.hidden());
            }
            doc = new PackageService.ServedDocument(
                    java.nio.ByteBuffer.wrap(served.body()), served.gzip(), served.etag());
        }
        ctx.header("Vary", "Accept, Accept-Encoding, Authorization");
        // Revalidate every time: a freshly approved or unpublished version must be seen at once; a 304 is cheap.
        ctx.header("Cache-Control", "no-cache");
        ctx.header("ETag", doc.etag());
        String inm = ctx.header("If-None-Match");
        if (inm != null && inm.contains(doc.etag())) {
            ctx.status(304);
            return;
        }
        ctx.contentType(corgi ? CORGI : "application/json");
        if (doc.gzip()) {
            // the gzip copy kept in memory with the document: no compression work per read
            ctx.header("Content-Encoding", "gzip");
        }
        // the bytes held in memory (a direct buffer), written to the socket as they are
        Responses.bytes(ctx, doc.content());
    }

    private void tarball(Context ctx, Actor actor, PackageName name, String file) {
        String prefix = name.bare() + "-";
        if (!file.startsWith(prefix) || !file.endsWith(".tgz")) {
            throw AirlockException.notFound("Tarball not found: " + file);
        }
        String version = file.substring(prefix.length(), file.length() - 4);
        if (proxy != null) {
            ProxyService.Tarball t = proxy.tarball(actor, name, version); // local first, as packuments
            sendTarball(ctx, t.blob(), t.size(), () -> proxy.open(t));
            return;
        }
        TarballRef ref = packages.tarball(actor, name, version);
        sendTarball(ctx, ref.blob(), ref.size(), () -> packages.openTarball(ref));
    }

    private void sendTarball(
            Context ctx, String blob, long size, java.util.function.Supplier<java.io.InputStream> open) {
        ctx.header("Cache-Control", "private, max-age=300");
        Responses.tarball(ctx, "\"" + blob.substring(0, 40) + "\"", size, packages.tarballFile(blob), open);
    }

    private void delete(Context ctx) {
        NpmPath p = NpmPath.parse(ctx.req().getRequestURI());
        Actor actor = Requests.user(ctx);
        if (p.size() == 2 && p.at(0).equals("-rev")) {
            gate.authorise(actor, Action.UNPUBLISH, p.name());
            unpublish.unpublishAll(actor, p.name(), p.at(1));
            Responses.json(ctx, Map.of("ok", true));
        } else if (p.size() == 4 && p.at(0).equals("-") && p.at(2).equals("-rev")) {
            String file = p.at(1);
            String prefix = p.name().bare() + "-";
            if (!file.startsWith(prefix) || !file.endsWith(".tgz")) {
                throw AirlockException.notFound("Tarball not found: " + file);
            }
            String version = file.substring(prefix.length(), file.length() - 4);
            gate.authorise(actor, Action.DELETE_TARBALL, p.name(), version);
            unpublish.unpublishVersion(actor, p.name(), version);
            Responses.json(ctx, Map.of("ok", true));
        } else {
            throw AirlockException.notFound("Not found");
        }
    }
}
