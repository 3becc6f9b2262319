package dev.airlock.platform.http;

import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A Jetty handler in front of Javalin that lets the {@link FastRoute}s answer GET and HEAD requests from memory:
 * a hot packument or tarball then costs no servlet request, no router match and no Javalin context (measured in
 * docs/benchmarks.md). Whatever a fast route declines, or fails on before writing, goes on to Javalin unchanged, with
 * the actor already resolved. The {@link RequestObserver}s hear of the requests answered here (the metrics).
 */
final class FastReads extends Handler.Wrapper {
    private final List<FastRoute> routes;
    private final List<RequestObserver> observers;
    private final Requests.Settings settings;

    FastReads(List<FastRoute> routes, List<RequestObserver> observers, Requests.Settings settings) {
        this.routes = List.copyOf(routes);
        this.observers = List.copyOf(observers);
        this.settings = settings;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (routes.isEmpty() || !("GET".equals(method) || "HEAD".equals(method))) {
            return super.handle(request, response, callback);
        }
        long started = System.nanoTime();
        FastExchange x = new FastExchange(request, response, callback, settings);
        for (FastRoute route : routes) {
            boolean answered;
            try {
                answered = route.answer(x);
            } catch (Exception e) {
                if (response.isCommitted()) {
                    callback.failed(e);
                    return true;
                }
                answered = false; // the routes answer, and map the error as they always do
            }
            if (answered) {
                long nanos = System.nanoTime() - started;
                for (RequestObserver o : observers) {
                    o.observed(method, x.path(), x.status(), nanos, x.bytes());
                }
                return true;
            }
            response.reset(); // nothing was sent: no header a declining route set goes on
        }
        return super.handle(request, response, callback);
    }
}
