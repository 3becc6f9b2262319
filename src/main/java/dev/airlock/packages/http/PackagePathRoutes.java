package dev.airlock.packages.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.packages.PackageService;
import dev.airlock.packages.Packages;
import dev.airlock.packages.TarballRef;
import dev.airlock.packages.Unpublish;
import dev.airlock.platform.http.FastExchange;
import dev.airlock.platform.http.FastRoute;
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
public final class PackagePathRoutes implements RouteModule, FastRoute {
    private static final String CORGI = "application/vnd.npm.install-v1+json";
    private static final String TARBALL_CACHE = "private, max-age=300";
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

    /**
     * The hot reads answered before Javalin: a packument or a tarball of a package memory holds (the same reads and
     * headers as {@link #packument} and {@link #tarball}); anything else goes on to the routes.
     */
    @Override
    public boolean answer(FastExchange x) throws java.io.IOException {
        String path = x.path();
        if (path.startsWith("/-/")) {
            return false;
        }
        NpmPath p = NpmPath.parse(path);
        if (p.size() == 0) {
            boolean corgi = corgi(x.header("Accept"));
            boolean gzip = gzip(x.header("Accept-Encoding"));
            PackageService.ServedDocument doc = packages.cached(x.actor(), p.name(), corgi, gzip);
            if (doc == null) {
                return false;
            }
            if (packumentHeaders(x::header, x.header("If-None-Match"), doc)) {
                doc.release();
                x.notModified();
            } else {
                x.body(corgi ? CORGI : "application/json", doc.content(), doc::release);
            }
            return true;
        }
        if (p.size() == 2 && p.at(0).equals("-")) {
            String version = versionOf(p.name(), p.at(1));
            TarballRef ref = version == null ? null : packages.cachedTarball(x.actor(), p.name(), version);
            if (ref == null) {
                return false;
            }
            x.header("Cache-Control", TARBALL_CACHE);
            return x.tarball(etag(ref.blob()), ref.size(), packages.tarballFile(ref.blob()));
        }
        return false;
    }

    private static boolean corgi(String accept) {
        return accept != null && accept.contains(CORGI);
    }

    private static boolean gzip(String encodings) {
        return encodings != null && encodings.contains("gzip");
    }

    /**
     * Sets a packument answer's headers; true when the client's copy is current (answer 304 with them). Revalidated
     * every time: a freshly approved or unpublished version must be seen at once; a 304 is cheap.
     */
    private static boolean packumentHeaders(
            java.util.function.BiConsumer<String, String> header,
            String ifNoneMatch,
            PackageService.ServedDocument doc) {
        header.accept("Vary", "Accept, Accept-Encoding, Authorization");
        header.accept("Cache-Control", "no-cache");
        header.accept("ETag", doc.etag());
        if (ifNoneMatch != null && ifNoneMatch.contains(doc.etag())) {
            return true;
        }
        if (doc.gzip()) {
            // the gzip copy kept in memory with the document: no compression work per read
            header.accept("Content-Encoding", "gzip");
        }
        return false;
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
        boolean corgi = corgi(ctx.header("Accept"));
        boolean gzip = gzip(ctx.header("Accept-Encoding"));
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
        try {
            if (packumentHeaders(ctx::header, ctx.header("If-None-Match"), doc)) {
                ctx.status(304);
                return;
            }
            ctx.contentType(corgi ? CORGI : "application/json");
            // the bytes held in memory (a direct buffer), written to the socket as they are (a blocking write)
            Responses.bytes(ctx, doc.content());
        } finally {
            doc.release();
        }
    }

    private void tarball(Context ctx, Actor actor, PackageName name, String file) {
        String version = tarballVersion(name, file);
        if (proxy != null) {
            ProxyService.Tarball t = proxy.tarball(actor, name, version); // local first, as packuments
            sendTarball(ctx, t.blob(), t.size(), () -> proxy.open(t));
            return;
        }
        TarballRef ref = packages.tarball(actor, name, version);
        sendTarball(ctx, ref.blob(), ref.size(), () -> packages.openTarball(ref));
    }

    /** The version a tarball's file name ({@code name-1.2.3.tgz}) names; 404 for any other file name. */
    private static String tarballVersion(PackageName name, String file) {
        String version = versionOf(name, file);
        if (version == null) {
            throw AirlockException.notFound("Tarball not found: " + file);
        }
        return version;
    }

    /** The version a tarball's file name names, or null for any other file name. */
    private static String versionOf(PackageName name, String file) {
        String prefix = name.bare() + "-";
        return file.startsWith(prefix) && file.endsWith(".tgz")
                ? file.substring(prefix.length(), file.length() - 4)
                : null;
    }

    private static String etag(String blob) {
        return "\"" + blob.substring(0, 40) + "\"";
    }

    private void sendTarball(
            Context ctx, String blob, long size, java.util.function.Supplier<java.io.InputStream> open) {
        ctx.header("Cache-Control", TARBALL_CACHE);
        Responses.tarball(ctx, etag(blob), size, packages.tarballFile(blob), open);
    }

    private void delete(Context ctx) {
        NpmPath p = NpmPath.parse(ctx.req().getRequestURI());
        Actor actor = Requests.user(ctx);
        if (p.size() == 2 && p.at(0).equals("-rev")) {
            gate.authorise(actor, Action.UNPUBLISH, p.name());
            unpublish.unpublishAll(actor, p.name(), p.at(1));
            Responses.json(ctx, Map.of("ok", true));
        } else if (p.size() == 4 && p.at(0).equals("-") && p.at(2).equals("-rev")) {
            String version = tarballVersion(p.name(), p.at(1));
            gate.authorise(actor, Action.DELETE_TARBALL, p.name(), version);
            unpublish.unpublishVersion(actor, p.name(), version);
            Responses.json(ctx, Map.of("ok", true));
        } else {
            throw AirlockException.notFound("Not found");
        }
    }
}
