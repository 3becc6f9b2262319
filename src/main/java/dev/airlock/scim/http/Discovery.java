package dev.airlock.scim.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;

/** The discovery documents of RFC 7644 section 4: what this service provider supports. */
final class Discovery {
    private Discovery() {}

    static ObjectNode serviceProviderConfig(String base) {
        ObjectNode c = Json.object();
        c.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
        c.putObject("patch").put("supported", true);
        c.putObject("bulk").put("supported", false).put("maxOperations", 0).put("maxPayloadSize", 0);
        c.putObject("filter").put("supported", true).put("maxResults", 200);
        c.putObject("changePassword").put("supported", false);
        c.putObject("sort").put("supported", false);
        c.putObject("etag").put("supported", true);
        ObjectNode scheme = c.putArray("authenticationSchemes").addObject();
        scheme.put("type", "oauthbearertoken");
        scheme.put("name", "OAuth Bearer Token");
        scheme.put("description", "A SCIM client token from ./airlock scim token create");
        scheme.put("primary", true);
        c.putObject("meta")
                .put("resourceType", "ServiceProviderConfig")
                .put("location", base + "/ServiceProviderConfig");
        return c;
    }

    static ObjectNode resourceTypes(String base) {
        ArrayNode items = Json.MAPPER.createArrayNode();
        items.add(resourceType(base, "User", "/Users", "urn:ietf:params:scim:schemas:core:2.0:User"));
        items.add(resourceType(base, "Group", "/Groups", "urn:ietf:params:scim:schemas:core:2.0:Group"));
        return list(items);
    }

    private static ObjectNode resourceType(String base, String name, String endpoint, String schema) {
        ObjectNode t = Json.object();
        t.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:ResourceType");
        t.put("id", name);
        t.put("name", name);
        t.put("endpoint", endpoint);
        t.put("schema", schema);
        t.putObject("meta").put("resourceType", "ResourceType").put("location", base + "/ResourceTypes/" + name);
        return t;
    }

    static ObjectNode schemas(String base) {
        ArrayNode items = Json.MAPPER.createArrayNode();
        ObjectNode user = schema(base, "urn:ietf:params:scim:schemas:core:2.0:User", "User");
        ArrayNode ua = user.putArray("attributes");
        attribute(ua, "userName", "string", true, true, "readWrite", "server");
        attribute(ua, "externalId", "string", false, false, "readWrite", "none");
        attribute(ua, "active", "boolean", false, false, "readWrite", "none");
        ObjectNode emails = attribute(ua, "emails", "complex", false, false, "readWrite", "none");
        emails.put("multiValued", true);
        attribute(ua, "groups", "complex", false, false, "readOnly", "none").put("multiValued", true);
        items.add(user);
        ObjectNode group = schema(base, "urn:ietf:params:scim:schemas:core:2.0:Group", "Group");
        ArrayNode ga = group.putArray("attributes");
        attribute(ga, "displayName", "string", true, false, "readWrite", "server");
        attribute(ga, "externalId", "string", false, false, "readWrite", "none");
        attribute(ga, "members", "complex", false, false, "readWrite", "none").put("multiValued", true);
        items.add(group);
        return list(items);
    }

    private static ObjectNode schema(String base, String id, String name) {
        ObjectNode s = Json.object();
        s.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:Schema");
        s.put("id", id);
        s.put("name", name);
        s.putObject("meta").put("resourceType", "Schema").put("location", base + "/Schemas/" + id);
        return s;
    }

    private static ObjectNode attribute(
            ArrayNode into,
            String name,
            String type,
            boolean required,
            boolean caseExact,
            String mutability,
            String uniqueness) {
        ObjectNode a = into.addObject();
        a.put("name", name);
        a.put("type", type);
        a.put("multiValued", false);
        a.put("required", required);
        a.put("caseExact", caseExact);
        a.put("mutability", mutability);
        a.put("returned", "default");
        a.put("uniqueness", uniqueness);
        return a;
    }

    private static ObjectNode list(ArrayNode items) {
        ObjectNode out = Json.object();
        out.putArray("schemas").add("urn:ietf:params:scim:api:messages:2.0:ListResponse");
        out.put("totalResults", items.size());
        out.put("startIndex", 1);
        out.put("itemsPerPage", items.size());
        out.set("Resources", items);
        return out;
    }
}
