package dev.airlock.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The SCIM 2.0 message shapes (RFC 7643/7644) the user and group resources share: meta, lists, filters, PATCH. */
final class ScimJson {
    static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    static final String LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    /** The largest page a list answers. */
    static final int MAX_COUNT = 200;

    private static final Pattern FILTER =
            Pattern.compile("\\s*([A-Za-z.]+)\\s+eq\\s+\"((?:[^\"\\\\]|\\\\.)*)\"\\s*", Pattern.CASE_INSENSITIVE);

    private ScimJson() {}

    static void meta(ObjectNode out, String type, String location, long created, long modified, long v) {
        ObjectNode meta = out.putObject("meta");
        meta.put("resourceType", type);
        meta.put("created", Instant.ofEpochMilli(created).toString());
        meta.put("lastModified", Instant.ofEpochMilli(modified).toString());
        meta.put("location", location);
        meta.put("version", "W/\"" + v + "\"");
    }

    static ObjectNode list(List<ObjectNode> resources, int total, int start) {
        ObjectNode out = Json.object();
        out.putArray("schemas").add(LIST_SCHEMA);
        out.put("totalResults", total);
        out.put("startIndex", start);
        out.put("itemsPerPage", resources.size());
        ArrayNode items = out.putArray("Resources");
        resources.forEach(items::add);
        return out;
    }

    /** {@code attribute eq "value"}: the lower-cased attribute (one of {@code allowed}) and the value. */
    static String[] filter(String filter, Set<String> allowed) {
        Matcher m = FILTER.matcher(filter);
        if (!m.matches() || !allowed.contains(m.group(1).toLowerCase(Locale.ROOT))) {
            throw new ScimException(
                    400, "invalidFilter", "Only filters of the form " + allowed + " eq \"value\" are supported.");
        }
        return new String[] {m.group(1).toLowerCase(Locale.ROOT), m.group(2).replaceAll("\\\\(.)", "$1")};
    }

    static Iterable<JsonNode> operations(JsonNode body) {
        JsonNode ops = body.get("Operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw invalid("A PATCH body needs a non-empty \"Operations\" list (RFC 7644 section 3.5.2).");
        }
        return ops;
    }

    static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A boolean, or Entra ID's strings "True" / "False". */
    static boolean bool(JsonNode v) {
        if (v != null && v.isBoolean()) {
            return v.asBoolean();
        }
        String s = v == null ? "" : v.asText().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid("active must be true or false.");
        };
    }

    static ScimException invalid(String detail) {
        return ScimException.invalidValue(detail);
    }
}
