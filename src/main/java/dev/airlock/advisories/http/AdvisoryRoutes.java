package dev.airlock.advisories.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.advisories.AdvisoryService;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * npm audit's endpoint. npm 11 sends {@code POST /-/npm/v1/security/advisories/bulk} with a gzipped JSON body
 * ({@code Content-Encoding: gzip}) and has no other audit request (the older {@code /-/npm/v1/security/audits/quick}
 * is not used by npm 11, so it is not served).
 */
public final class AdvisoryRoutes implements RouteModule {
    private final AdvisoryService advisories;
    private final long maxBodyBytes;

    public AdvisoryRoutes(AdvisoryService advisories, long maxBodyBytes) {
        this.advisories = advisories;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/-/npm/v1/security/advisories/bulk", ctx -> {
            AdvisoryService.Bulk bulk = advisories.bulk(Requests.actor(ctx), body(ctx));
            if (bulk.incomplete() != null) {
                ctx.header("Warning", "199 - \"" + bulk.incomplete().replace('"', '\'') + "\"");
            }
            Responses.json(ctx, bulk.body());
        });
    }

    /** The JSON body, gunzipped when npm says so; more than limits.maxBodyBytes (decompressed) is refused. */
    private JsonNode body(Context ctx) {
        String encoding = ctx.header("Content-Encoding");
        boolean gzip = encoding != null && encoding.toLowerCase(Locale.ROOT).contains("gzip");
        try (InputStream raw = ctx.bodyInputStream();
                InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (bytes.length > maxBodyBytes) {
                throw new AirlockException(
                        ErrorCode.PAYLOAD_TOO_LARGE,
                        "The request body is larger than this registry accepts (" + maxBodyBytes + " bytes).");
            }
            return Json.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw AirlockException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw AirlockException.badRequest("Could not read the request body: " + e.getMessage());
        }
    }
}
