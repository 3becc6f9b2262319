package dev.airlock.audit.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Log entries and checkpoints as Elastic Common Schema events (docs/audit.md, "Export"): the ECS fields a SIEM
 * indexes ({@code @timestamp}, {@code event.*}, {@code user.name}, {@code source.ip}, {@code user_agent.original},
 * {@code package.*}, {@code organization.name}) and everything else under {@code airlock.*}, including the exact entry
 * text ({@code airlock.log.entry}) so a consumer can recompute its leaf hash. Entries lacking newer fields (legacy
 * entries carry only {@code actor.display}) map to fewer fields.
 */
final class EcsEvents {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String IP = "[0-9.]{7,15}|[0-9a-fA-F:.]{2,45}(%[A-Za-z0-9]+)?";

    private EcsEvents() {}

    static String timestamp(long at) {
        return TIME.format(Instant.ofEpochMilli(at));
    }

    /** The ECS event of entry {@code seq}. */
    static ObjectNode event(long seq, String entryText, String leafHash) {
        JsonNode e;
        try {
            e = Json.MAPPER.readTree(entryText);
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("log entry " + seq + " is not JSON", x);
        }
        String action = e.path("action").asText("unknown");
        String outcome = e.path("outcome").asText("");
        ObjectNode out = Json.object();
        out.put("@timestamp", timestamp(e.path("at").asLong()));
        ObjectNode event = out.putObject("event");
        event.put("kind", "event");
        event.put("dataset", "airlock.audit");
        event.put("action", action);
        event.put("outcome", outcome.equals("success") || outcome.equals("failure") ? outcome : "unknown");
        String category = category(action);
        if (category != null) {
            event.putArray("category").add(category);
            event.putArray("type").add(type(category, action));
        }
        event.put("sequence", seq);
        event.put("id", e.path("id").asText());
        JsonNode detail = e.path("detail");
        if (detail.path("reason").isTextual()) {
            event.put("reason", detail.path("reason").asText());
        }
        JsonNode actor = e.path("actor");
        String user = actor.path("user").isTextual()
                ? actor.path("user").asText()
                : legacyUser(actor.path("display").asText(null));
        if (user != null) {
            out.putObject("user").put("name", user);
        }
        JsonNode source = e.path("source");
        String ip = source.path("ip").asText(null);
        if (ip != null && ip.matches(IP)) {
            out.putObject("source").put("ip", ip);
        }
        if (source.path("userAgent").isTextual()) {
            out.putObject("user_agent").put("original", source.path("userAgent").asText());
        }
        String target = e.path("target").asText("");
        if (target.startsWith("package:")) {
            ObjectNode pkg = out.putObject("package").put("name", target.substring("package:".length()));
            if (detail.path("version").isTextual()) {
                pkg.put("version", detail.path("version").asText());
            }
        } else if (target.startsWith("org:")) {
            out.putObject("organization").put("name", target.substring("org:".length()));
        }
        ObjectNode airlock = out.putObject("airlock");
        airlock.put("target", target);
        airlock.set("actor", actor.isObject() ? actor.deepCopy() : Json.object());
        if (e.hasNonNull("factor")) {
            airlock.set("factor", e.get("factor"));
        }
        if (ip != null && !ip.matches(IP)) {
            airlock.putObject("source").put("address", ip);
        }
        airlock.set("detail", detail.isObject() ? detail.deepCopy() : Json.object());
        if (e.has("legacy")) {
            airlock.set("legacy", e.get("legacy"));
        }
        ObjectNode log = airlock.putObject("log");
        log.put("index", seq);
        log.put("leaf_hash", leafHash);
        log.put("entry", entryText);
        return out;
    }

    /** The ECS event of a signed checkpoint (tree size and root hash with the server's signature). */
    static ObjectNode checkpoint(long size, String rootHex, String note, long at) {
        ObjectNode out = Json.object();
        out.put("@timestamp", timestamp(at));
        ObjectNode event = out.putObject("event");
        event.put("kind", "event");
        event.put("dataset", "airlock.audit");
        event.put("action", "log.checkpoint");
        event.put("outcome", "success");
        ObjectNode cp = out.putObject("airlock").putObject("checkpoint");
        cp.put("origin", note.substring(0, Math.max(0, note.indexOf('\n'))));
        cp.put("size", size);
        cp.put("root", Base64.getEncoder().encodeToString(HexFormat.of().parseHex(rootHex)));
        cp.put("note", note);
        return out;
    }

    /** {@code "alice (session)"} → alice; anonymous and empty → none. */
    private static String legacyUser(String display) {
        if (display == null || display.isBlank()) {
            return null;
        }
        String name = display.replaceFirst("\\s*\\(.*\\)$", "").trim();
        return name.isEmpty() || name.equals("anonymous") ? null : name;
    }

    /** The ECS category of an action, or null. */
    static String category(String action) {
        String family = action.contains(".") ? action.substring(0, action.indexOf('.')) : action;
        if (action.startsWith("user.login") || action.startsWith("user.password") || action.startsWith("oidc.")) {
            return "authentication";
        }
        return switch (family) {
            case "tfa", "login", "session", "web-login" -> "authentication";
            case "user", "token", "org", "team", "access", "trust" -> "iam";
            case "package", "stage", "dist-tag", "name" -> "package";
            case "policy", "config", "proxy", "advisories", "alert" -> "configuration";
            default -> null;
        };
    }

    private static String type(String category, String action) {
        if (category.equals("authentication")) {
            return action.startsWith("user.login") || action.startsWith("oidc.") ? "start" : "info";
        }
        if (!category.equals("package") && action.matches(".*\\.(create|enrol|enable|add|key-add)$")) {
            return "creation"; // ECS allows "creation" for iam and configuration, not for package
        }
        if (action.matches(".*\\.(revoke|remove|destroy|unpublish|disable|delete|key-remove|reject|expire)$")) {
            return "deletion";
        }
        return "change";
    }
}
