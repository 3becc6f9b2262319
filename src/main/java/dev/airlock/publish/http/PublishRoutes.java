package dev.airlock.publish.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.packages.Packages;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.platform.npm.NpmPath;
import dev.airlock.policy.Action;
import dev.airlock.policy.Gate;
import dev.airlock.publish.PublishService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PUT on package paths, which npm overloads: {@code PUT /name} is publish (a new version with an attachment) or
 * deprecate (the whole document echoed back); {@code PUT /name/-rev/REV} is unpublish of versions (the document minus
 * them) or owner add/rm ({@code maintainers}). Only the intended change is ever applied from an echoed document.
 */
public final class PublishRoutes implements RouteModule {
    private final PublishService publish;
    private final Packages packages;
    private final Gate gate;

    public PublishRoutes(PublishService publish, Packages packages, Gate gate) {
        this.publish = publish;
        this.packages = packages;
        this.gate = gate;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.put("/<path>", this::put);
    }

    private void put(Context ctx) {
        NpmPath p = NpmPath.parse(ctx.req().getRequestURI());
        Actor actor = Requests.user(ctx);
        JsonNode body = Requests.jsonObject(ctx);
        if (p.size() == 0) {
            // An _attachments field (even an empty one) means publish: npm's deprecate echoes our packument, which has
            // none.
            if (body.has("_attachments")) {
                var version = publish.publish(actor, p.name(), body);
                Responses.json(ctx, 201, Map.of("ok", true, "id", p.name() + "@" + version.version()));
            } else if (body.has("versions")) {
                deprecate(ctx, actor, p, body);
            } else if (body.has("users")) {
                throw AirlockException.badRequest("Stars are not supported by this registry.");
            } else {
                throw AirlockException.badRequest("Unrecognised update: a publish needs versions and _attachments.");
            }
        } else if (p.size() == 2 && p.at(0).equals("-rev")) {
            String rev = p.at(1);
            if (body.has("versions")) {
                JsonNode versions = body.get("versions");
                if (!versions.isObject()) {
                    throw AirlockException.badRequest("versions must be an object.");
                }
                Set<String> keep = new HashSet<>();
                versions.fieldNames().forEachRemaining(keep::add);
                gate.authorise(actor, Action.UNPUBLISH, p.name());
                packages.unpublish().unpublishExcept(actor, p.name(), rev, keep);
                Responses.json(ctx, Map.of("ok", true));
            } else if (body.has("maintainers")) {
                List<String> users = new ArrayList<>();
                for (JsonNode m : body.get("maintainers")) {
                    String n = m.path("name").asText(null);
                    if (n == null || n.isEmpty()) {
                        throw AirlockException.badRequest("Every maintainer needs a name.");
                    }
                    if (!users.contains(n)) {
                        users.add(n);
                    }
                }
                if (users.isEmpty()) {
                    throw AirlockException.badRequest("A package must keep at least one maintainer.");
                }
                gate.authorise(actor, Action.CHANGE_OWNERS, p.name());
                packages.ownership().setMaintainers(actor, p.name(), rev, users);
                // npm owner needs a JSON answer.
                Responses.json(ctx, Map.of("ok", true, "id", p.name().toString()));
            } else {
                throw AirlockException.badRequest("Unrecognised update of " + p.name() + ".");
            }
        } else {
            throw AirlockException.notFound("Not found");
        }
    }

    private void deprecate(Context ctx, Actor actor, NpmPath p, JsonNode body) {
        JsonNode versions = body.get("versions");
        if (!versions.isObject()) {
            throw AirlockException.badRequest("versions must be an object.");
        }
        Map<String, String> messages = new LinkedHashMap<>();
        versions.properties().forEach(e -> {
            JsonNode d = e.getValue().get("deprecated");
            if (d != null) {
                if (!d.isTextual()) {
                    throw AirlockException.badRequest("deprecated must be a string.");
                }
                messages.put(e.getKey(), d.asText());
            }
        });
        if (messages.isEmpty()) {
            // npm deprecate/undeprecate always set "deprecated"; without it this is a publish that lost its tarball.
            throw AirlockException.badRequest("The publish has no tarball attachment, and no version in the body sets"
                    + " \"deprecated\"; nothing was changed.");
        }
        gate.authorise(actor, Action.DEPRECATE, p.name());
        packages.deprecation().deprecate(actor, p.name(), messages);
        Responses.json(ctx, Map.of("ok", true));
    }
}
