package dev.airlock.platform.http;

/**
 * One registered HTTP endpoint: method, Javalin path pattern and the {@link RouteModule} that registered it (handlers
 * are lambdas and method references, so the module's class is the name worth showing). {@code docs/api.md} lists
 * every route in its route table; RouteTableTest keeps the two equal.
 */
public record Route(String method, String path, String handler) implements Comparable<Route> {
    @Override
    public int compareTo(Route o) {
        int c = path.compareTo(o.path);
        return c != 0 ? c : method.compareTo(o.method);
    }
}
