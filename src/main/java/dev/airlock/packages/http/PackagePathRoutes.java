package dev.airlock.packages.http;

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
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
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

    public PackagePathRoutes(Packages packages, Gate gate) {
        this.packages = packages.reads();
        this.unpublish = packages.unpublish();
        this.gate = gate;
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
            Responses.json(ctx, packages.versionManifest(actor, p.name(), p.at(0)));
        } else {
            throw AirlockException.notFound("Not found");
        }
    }

    private void packument(Context ctx, Actor actor, PackageName name) {
        String accept = ctx.header("Accept");
        boolean corgi = accept != null && accept.contains(CORGI);
        String encodings = ctx.header("Accept-Encoding");
        boolean gzip = encodings != null && encodings.contains("gzip");
        PackageService.ServedDocument doc = packages.served(actor, name, corgi, gzip);
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
            // the gzip copy made when the packument was built: no compression work per read
            ctx.header("Content-Encoding", "gzip");
        }
        ctx.result(doc.body());
    }

    private void tarball(Context ctx, Actor actor, PackageName name, String file) {
        String prefix = name.bare() + "-";
        if (!file.startsWith(prefix) || !file.endsWith(".tgz")) {
            throw AirlockException.notFound("Tarball not found: " + file);
        }
        String version = file.substring(prefix.length(), file.length() - 4);
        TarballRef ref = packages.tarball(actor, name, version);
        String etag = "\"" + ref.blob().substring(0, 40) + "\"";
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", "private, max-age=300");
        if (etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        Responses.tarball(ctx, packages.openTarball(ref), ref.size());
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
