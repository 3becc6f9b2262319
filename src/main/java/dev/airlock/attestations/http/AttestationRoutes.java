package dev.airlock.attestations.http;

import dev.airlock.attestations.AttestationService;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.platform.npm.NpmPath;
import dev.airlock.shared.AirlockException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code GET /-/npm/v1/attestations/NAME@VERSION}: what npm audit signatures fetches (provenance), and
 * {@code GET /-/airlock/v1/attestations/NAME@VERSION}: every attestation, the approval attestation with its audit-log
 * entry, what {@code airlock verify} fetches. npm sends a scoped name encoded ({@code @scope%2fname@1.0.0}); the
 * plain {@code @scope/name@1.0.0} is accepted too.
 */
public final class AttestationRoutes implements RouteModule {
    private static final String PREFIX = "/-/npm/v1/attestations/";
    private static final String AIRLOCK = "/-/airlock/v1/attestations/";
    private final AttestationService attestations;

    public AttestationRoutes(AttestationService attestations) {
        this.attestations = attestations;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PREFIX + "<path>", ctx -> get(ctx, PREFIX, false));
        routes.get(AIRLOCK + "<path>", ctx -> get(ctx, AIRLOCK, true));
    }

    private void get(Context ctx, String prefix, boolean all) {
        String raw = ctx.req().getRequestURI().substring(prefix.length());
        int at = raw.lastIndexOf('@');
        if (at <= 0) {
            throw AirlockException.notFound("Attestations are at " + prefix + "NAME@VERSION.");
        }
        NpmPath p = NpmPath.packageAfter("/" + raw.substring(0, at), "");
        String version = raw.substring(at + 1).replace("%2B", "+").replace("%2b", "+");
        var actor = Requests.actor(ctx); // anonymous too: as readable as the packument (404 when it is not)
        Responses.json(
                ctx,
                all ? attestations.all(actor, p.name(), version) : attestations.attestations(actor, p.name(), version));
    }
}
