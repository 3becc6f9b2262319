package dev.airlock.platform.http;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.shared.AirlockException;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.router.Endpoint;
import io.javalin.router.InternalRouter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP server: Javalin on Jetty, JSON errors everywhere, routes from the feature modules. {@link #close} is
 * graceful: the port closes at once (a load balancer sends new requests to another node) and requests in flight get
 * up to {@link #DRAIN_MILLIS} to finish.
 */
public final class HttpServer implements AutoCloseable {
    /** How long a stopping server lets requests in flight finish (a publish of a large tarball included). */
    static final long DRAIN_MILLIS = 30_000;

    private final Javalin app;
    private final List<Route> routes = new ArrayList<>();

    /** {@code spoolDir}: where request bodies too large to hold in memory (publishes of big tarballs) are spooled. */
    public HttpServer(
            String host,
            int port,
            AirlockConfig.ServerLimits limits,
            long maxBodyBytes,
            Path spoolDir,
            List<String> trustedProxies,
            Authenticator authenticator,
            List<RouteModule> modules) {
        Requests.Settings settings = new Requests.Settings(authenticator, trustedProxies, maxBodyBytes, spoolDir);
        List<FastRoute> fast = new ArrayList<>();
        List<RequestObserver> observers = new ArrayList<>();
        for (RouteModule module : modules) {
            if (module instanceof FastRoute f) {
                fast.add(f);
            }
            if (module instanceof RequestObserver o) {
                observers.add(o);
            }
        }
        this.app = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = maxBodyBytes;
            config.http.generateEtags = false;
            config.concurrency.useVirtualThreads = false;
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(new JsonErrorHandler());
                // hot reads answered before Javalin (inside the graceful drain, which is inserted after it)
                server.insertHandler(new FastReads(fast, observers, settings));
                // stop() waits for the requests in flight (rolling restarts behind a load balancer)
                server.insertHandler(new GracefulHandler());
                server.setStopTimeout(DRAIN_MILLIS);
                ClientLimits.apply(server, limits);
            });
            // npm escapes scoped names as @scope%2fname: allow an encoded slash in a segment; the router decodes.
            config.jetty.modifyHttpConfiguration(http -> {
                http.setUriCompliance(UriCompliance.LEGACY);
                ClientLimits.apply(http, limits);
            });
            // the server's settings for Requests: app data, not a before-handler setting attributes on every request
            config.appData(Requests.SETTINGS, settings);
            // after-handlers run also when the handler failed
            config.routes.after(Requests::closeSpools);
            config.routes.exception(AirlockException.class, ErrorMapper::handle);
            config.routes.exception(
                    HttpResponseException.class,
                    (e, ctx) -> ErrorMapper.write(
                            ctx,
                            e.getStatus(),
                            e.getStatus() == 413
                                    ? "The request body is larger than this registry accepts."
                                    : e.getMessage()));
            config.routes.exception(Exception.class, ErrorMapper::unexpected);
            config.routes.error(404, "*", ctx -> {
                if (ctx.result() == null) {
                    ErrorMapper.write(ctx, 404, "Not found");
                }
            });
            config.routes.error(405, "*", ctx -> ErrorMapper.write(ctx, 405, "Method not allowed"));
            for (RouteModule module : modules) {
                Set<Endpoint> before = endpoints(config.unsafe.internalRouter);
                module.register(config.routes);
                for (Endpoint e : endpoints(config.unsafe.internalRouter)) {
                    if (!before.contains(e) && e.method.isHttpMethod()) {
                        routes.add(new Route(
                                e.method.name(), e.path, module.getClass().getSimpleName()));
                    }
                }
            }
        });
    }

    private static Set<Endpoint> endpoints(InternalRouter router) {
        Set<Endpoint> all = Collections.newSetFromMap(new IdentityHashMap<>());
        router.allHttpHandlers().forEach(parsed -> all.add(parsed.endpoint));
        return all;
    }

    /** Every endpoint the feature modules registered, sorted by path then method (the route table). */
    public List<Route> routes() {
        return routes.stream().sorted().toList();
    }

    public HttpServer start() {
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    /** Jetty answers malformed requests itself; make those answers JSON too. */
    private static final class JsonErrorHandler extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus() <= 0 ? 500 : response.getStatus();
            String message = switch (status) {
                case 400 -> "Bad request: the URL or headers are malformed.";
                case 431 ->
                    "The request's headers are larger than this registry accepts (server.limits.maxHeaderBytes).";
                default -> "HTTP " + status;
            };
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            byte[] body = ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
    }
}
