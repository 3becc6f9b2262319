package dev.airlock.proxy;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.npm.RegistryClient;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which upstream serves a name: none when the guard declares the name internal ({@link InternalNames}) or the reader
 * may not read anonymously; otherwise the first of {@code proxy.upstreams} whose patterns match it ({@code
 * proxy.upstream} is one upstream that matches every name).
 */
final class Upstreams {
    private final List<Route> routes;
    private final InternalNames internal;
    private final boolean anonymousRead;

    Upstreams(AirlockConfig.Proxy config, InternalNames internal, boolean anonymousRead, Path spoolDir, Clock clock) {
        this.routes =
                config.routes().stream().map(u -> new Route(u, spoolDir, clock)).toList();
        this.internal = internal;
        this.anonymousRead = anonymousRead;
    }

    /** The guard, then the routing: the first upstream whose patterns match the name; 404 when none may serve it. */
    Route route(Tx tx, Actor actor, PackageName name) {
        return allowed(actor, name, internal.why(tx, name));
    }

    /** {@link #route(Tx, Actor, PackageName)} when whose the name's scope is was read with the cached copy. */
    Route route(Actor actor, PackageName name, String scopeOwner) {
        return allowed(actor, name, internal.why(name, scopeOwner));
    }

    private Route allowed(Actor actor, PackageName name, String why) {
        if (!actor.authenticated() && !anonymousRead) {
            throw AirlockException.notFound("Not found: " + name);
        }
        if (why != null) {
            throw AirlockException.notFound(
                    "Not found: " + name + " (not fetched from the upstream registry: " + why + "; publish it here)");
        }
        return serving(name)
                .orElseThrow(() -> AirlockException.notFound(
                        "Not found: " + name + " (no entry of proxy.upstreams serves this name)"));
    }

    /** The client of the upstream that serves this name; empty when the name is internal, unrouted or invalid. */
    Optional<RegistryClient> client(Tx tx, String name) {
        PackageName parsed;
        try {
            parsed = PackageName.parse(name);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        return internal.why(tx, parsed) != null
                ? Optional.empty()
                : serving(parsed).map(Route::client);
    }

    private Optional<Route> serving(PackageName name) {
        return routes.stream().filter(r -> r.serves(name)).findFirst();
    }

    /** The first upstream (the only one with {@code proxy.upstream}). */
    Route first() {
        return routes.get(0);
    }

    /** All upstreams together: failures summed, the longest run of failures, whether any breaker is open. */
    ProxyService.Health health() {
        List<ProxyService.Health> all = routes.stream().map(Route::health).toList();
        return new ProxyService.Health(
                all.stream().mapToLong(ProxyService.Health::failures).sum(),
                all.stream()
                        .mapToInt(ProxyService.Health::consecutiveFailures)
                        .max()
                        .orElse(0),
                all.stream().anyMatch(ProxyService.Health::breakerOpen));
    }

    Map<String, ProxyService.Health> healthByUpstream() {
        Map<String, ProxyService.Health> out = new LinkedHashMap<>();
        routes.forEach(r -> out.put(r.url(), r.health()));
        return out;
    }

    /** Every upstream, in their order. */
    List<Route> all() {
        return routes;
    }

    String describe() {
        return routes.stream().map(Route::url).collect(Collectors.joining(", "));
    }
}
