package dev.airlock.platform.http;

import io.javalin.config.RoutesConfig;

/** A feature's HTTP adapter: registers its routes. Modules register in the order the assembly lists them. */
public interface RouteModule {
    void register(RoutesConfig routes);
}
