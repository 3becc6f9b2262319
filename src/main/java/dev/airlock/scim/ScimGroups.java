package dev.airlock.scim;

import static dev.airlock.scim.ScimJson.GROUP_SCHEMA;
import static dev.airlock.scim.ScimJson.MAX_COUNT;
import static dev.airlock.scim.ScimJson.filter;
import static dev.airlock.scim.ScimJson.invalid;
import static dev.airlock.scim.ScimJson.meta;
import static dev.airlock.scim.ScimJson.operations;
import static dev.airlock.scim.ScimJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.orgs.GroupSync;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SCIM groups (RFC 7644 /Groups): their membership drives the group mapping ({@link GroupSync}, source {@code scim})
 * for every user a change touches, in the change's transaction.
 */
public final class ScimGroups {
    private static final Pattern MEMBER_PATH =
            Pattern.compile("members\\[\\s*value\\s+eq\\s+\"([^\"]+)\"\\s*\\]", Pattern.CASE_INSENSITIVE);
    private final Database db;
    private final ScimStore store;
    private final GroupSync groupSync;
    private final Clock clock;
    private final String base;

    ScimGroups(Database db, ScimStore store, GroupSync groupSync, Clock clock, String base) {
        this.db = db;
        this.store = store;
        this.groupSync = groupSync;
        this.clock = clock;
        this.base = base;
    }

    public ObjectNode list(String filter, int startIndex, int count) {
        return db.read(tx -> {
            if (filter != null && !filter.isBlank()) {
                String[] f = filter(filter, Set.of("displayname", "externalid"));
                List<ObjectNode> found = new ArrayList<>();
                for (ScimStore.GroupRow g : store.groups(tx, 0, Integer.MAX_VALUE)) {
                    if (f[1].equals(f[0].equals("displayname") ? g.displayName() : g.externalId())) {
                        found.add(group(tx, g));
                    }
                }
                return ScimJson.list(found, found.size(), 1);
            }
            int start = Math.max(1, startIndex);
            int n = Math.max(0, Math.min(MAX_COUNT, count));
            List<ObjectNode> page = store.groups(tx, start - 1, n).stream()
                    .map(g -> group(tx, g))
                    .toList();
            return ScimJson.list(page, store.groupCount(tx), start);
        });
    }

    public ObjectNode get(String id) {
        return db.read(tx -> group(tx, requireGroup(tx, id)));
    }

    public ObjectNode create(JsonNode body) {
        String name = displayName(body);
        return db.write(tx -> {
            if (store.groupByName(tx, name) != null) {
                throw new ScimException(409, "uniqueness", "A group named \"" + name + "\" exists already.");
            }
            long now = clock.millis();
            ScimStore.GroupRow row =
                    new ScimStore.GroupRow(UUID.randomUUID().toString(), name, text(body, "externalId"), 1, now, now);
            store.insertGroup(tx, row);
            Set<String> touched = new HashSet<>();
            for (String member : memberIds(tx, body.get("members"))) {
                store.addMember(tx, row.id(), member);
                touched.add(member);
            }
            syncAll(tx, touched);
            return group(tx, row);
        });
    }

    public ObjectNode replace(String id, JsonNode body) {
        return db.write(tx -> {
            ScimStore.GroupRow row = requireGroup(tx, id);
            String name = displayName(body);
            rename(tx, row, name, text(body, "externalId"));
            Set<String> touched = new HashSet<>(store.members(tx, id));
            for (String m : store.members(tx, id)) {
                store.removeMember(tx, id, m);
            }
            for (String m : memberIds(tx, body.get("members"))) {
                store.addMember(tx, id, m);
                touched.add(m);
            }
            syncAll(tx, touched);
            return group(tx, store.groupById(tx, id));
        });
    }

    public ObjectNode patch(String id, JsonNode body) {
        return db.write(tx -> {
            ScimStore.GroupRow row = requireGroup(tx, id);
            Set<String> touched = new HashSet<>();
            String name = row.displayName();
            String externalId = row.externalId();
            for (JsonNode op : operations(body)) {
                String kind = op.path("op").asText("").toLowerCase(Locale.ROOT);
                String path = op.path("path").asText("");
                JsonNode value = op.get("value");
                Matcher one = MEMBER_PATH.matcher(path);
                if (kind.equals("add") && path.equalsIgnoreCase("members")) {
                    for (String m : memberIds(tx, value)) {
                        store.addMember(tx, id, m);
                        touched.add(m);
                    }
                } else if (kind.equals("remove") && one.matches()) {
                    store.removeMember(tx, id, one.group(1));
                    touched.add(one.group(1));
                } else if (kind.equals("remove") && path.equalsIgnoreCase("members")) {
                    // Entra ID sends the members to remove as the value; without one, every member goes
                    List<String> gone = value == null ? store.members(tx, id) : memberIds(tx, value);
                    for (String m : gone) {
                        store.removeMember(tx, id, m);
                        touched.add(m);
                    }
                } else if (kind.equals("replace") && path.equalsIgnoreCase("members")) {
                    touched.addAll(store.members(tx, id));
                    for (String m : store.members(tx, id)) {
                        store.removeMember(tx, id, m);
                    }
                    for (String m : memberIds(tx, value)) {
                        store.addMember(tx, id, m);
                        touched.add(m);
                    }
                } else if ((kind.equals("replace") || kind.equals("add")) && path.equalsIgnoreCase("displayName")) {
                    name = value == null ? "" : value.asText();
                } else if ((kind.equals("replace") || kind.equals("add")) && path.equalsIgnoreCase("externalId")) {
                    externalId = value == null ? null : value.asText();
                } else if (kind.equals("replace") && path.isEmpty() && value != null && value.isObject()) {
                    // Okta renames with {"op":"replace","value":{"id":…,"displayName":…}}
                    if (value.has("displayName")) {
                        name = value.get("displayName").asText();
                    }
                    if (value.has("externalId")) {
                        externalId = value.get("externalId").asText();
                    }
                    if (value.has("members")) {
                        touched.addAll(store.members(tx, id));
                        for (String m : store.members(tx, id)) {
                            store.removeMember(tx, id, m);
                        }
                        for (String m : memberIds(tx, value.get("members"))) {
                            store.addMember(tx, id, m);
                            touched.add(m);
                        }
                    }
                } else {
                    throw invalid("Unsupported PATCH operation " + op.path("op").asText() + " on \"" + path + "\".");
                }
            }
            if (!name.equals(row.displayName())) {
                touched.addAll(store.members(tx, id));
            }
            rename(tx, row, name, externalId);
            syncAll(tx, touched);
            return group(tx, store.groupById(tx, id));
        });
    }

    public void delete(String id) {
        db.write(tx -> {
            requireGroup(tx, id);
            Set<String> touched = new HashSet<>(store.members(tx, id));
            store.deleteGroup(tx, id);
            syncAll(tx, touched);
            return null;
        });
    }

    private void rename(Tx tx, ScimStore.GroupRow row, String name, String externalId) {
        if (name.isBlank() || name.length() > 512) {
            throw invalid("displayName must be 1 to 512 characters.");
        }
        ScimStore.GroupRow other = store.groupByName(tx, name);
        if (other != null && !other.id().equals(row.id())) {
            throw new ScimException(409, "uniqueness", "A group named \"" + name + "\" exists already.");
        }
        store.updateGroup(tx, row.id(), name, externalId, clock.millis());
    }

    private List<String> memberIds(Tx tx, JsonNode members) {
        List<String> out = new ArrayList<>();
        if (members == null || members.isNull()) {
            return out;
        }
        if (!members.isArray()) {
            throw invalid("members must be a list of {\"value\": user id}.");
        }
        for (JsonNode m : members) {
            String id = m.path("value").asText("");
            if (store.userById(tx, id) == null) {
                throw invalid("No user with id \"" + id + "\".");
            }
            out.add(id);
        }
        return out;
    }

    /** Tells the group mapping the complete set of SCIM groups of each touched user. */
    private void syncAll(Tx tx, Set<String> userIds) {
        for (String id : new java.util.TreeSet<>(userIds)) {
            ScimStore.UserRow row = store.userById(tx, id);
            if (row != null) {
                sync(tx, row);
            }
        }
    }

    /** Tells the group mapping the complete set of SCIM groups of the user. */
    void sync(Tx tx, ScimStore.UserRow row) {
        groupSync.apply(tx, row.userName(), "scim", Set.copyOf(store.groupNamesOf(tx, row.id())));
    }

    private ScimStore.GroupRow requireGroup(Tx tx, String id) {
        ScimStore.GroupRow row = id == null ? null : store.groupById(tx, id);
        if (row == null) {
            throw ScimException.notFound("Group " + id);
        }
        return row;
    }

    private ObjectNode group(Tx tx, ScimStore.GroupRow row) {
        ObjectNode out = Json.object();
        out.putArray("schemas").add(GROUP_SCHEMA);
        out.put("id", row.id());
        if (row.externalId() != null) {
            out.put("externalId", row.externalId());
        }
        out.put("displayName", row.displayName());
        ArrayNode members = out.putArray("members");
        for (String m : store.members(tx, row.id())) {
            ScimStore.UserRow u = store.userById(tx, m);
            members.addObject().put("value", m).put("display", u.userName()).put("$ref", base + "/Users/" + m);
        }
        meta(out, "Group", base + "/Groups/" + row.id(), row.createdAt(), row.updatedAt(), row.version());
        return out;
    }

    private static String displayName(JsonNode body) {
        String name = text(body, "displayName");
        if (name == null || name.isBlank()) {
            throw invalid("displayName is required.");
        }
        return name;
    }
}
